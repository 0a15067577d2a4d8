import CMath
import Logging

/// Scales a value in C, logging what it does.
public func scaledValue(_ value: Int) -> Int {
    Logger(label: "Logic").debug("scaling \(value)")
    return Int(scaled(Int32(value)))
}
