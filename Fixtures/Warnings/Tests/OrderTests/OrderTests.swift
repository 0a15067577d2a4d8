import Gauge
import XCTest

/// Two tests that share the library's state in one process: the second passes alone and fails after the
/// first, as `swift test` runs them (in order, in one process).
final class OrderTests: XCTestCase {
    func testACalibrates() {
        calibrate()
        XCTAssertGreaterThan(calibrations, 0)
    }

    func testBStartsUncalibrated() {
        XCTAssertEqual(calibrations, 0)
    }
}
