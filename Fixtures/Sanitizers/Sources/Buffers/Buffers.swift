/// The sum of 0..<count, written into a heap buffer of `count` elements first; `overrun` more elements are
/// written past its end.
public func sum(_ count: Int, overrun: Int = 0) -> Int {
    let buffer = UnsafeMutablePointer<Int>.allocate(capacity: count)
    defer { buffer.deallocate() }
    for index in 0..<(count + overrun) { buffer[index] = index }
    var total = 0
    for index in 0..<count { total += buffer[index] }
    return total
}
