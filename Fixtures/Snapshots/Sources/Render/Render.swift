/// A value as its snapshot shows it.
public func render(_ value: Int) -> String {
    "value: \(value)\n"
}
