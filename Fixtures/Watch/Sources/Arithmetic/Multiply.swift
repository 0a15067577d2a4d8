/// The product of two numbers.
public func multiply(_ a: Int, _ b: Int) -> Int {
    a * b
}
