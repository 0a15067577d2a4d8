/// Whether a reading is above the gauge's limit.
public func isHigh(_ reading: Int) -> Bool {
    reading > 10
}
