public func squareArea(_ side: Int) -> Int {
    side * side
}

public func circleArea(_ radius: Double) -> Double {
    3.0 * radius * radius
}

public func describe(_ side: Int) -> String {
    if side > 10 {
        return "large"
    }
    return "small"
}
