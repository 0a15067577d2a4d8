/// Whether a reading is above the gauge's limit.
public func isHigh(_ reading: Int) -> Bool {
    reading > 10
}

/// How often the gauge was calibrated in this process: state every test of a process shares.
nonisolated(unsafe) public var calibrations = 0

/// Calibrates the gauge.
public func calibrate() {
    calibrations += 1
}
