/// Adds the numbers in a list.
public func total(_ numbers: [Int]) -> Int {
    numbers.reduce(0, +)
}
