import Foundation
import XCTest

final class SlowTests: XCTestCase {
    /// Runs far longer than the timeouts the integration tests give it.
    func testSleepsForAMinute() {
        print("going to sleep")
        fflush(nil)
        Thread.sleep(forTimeInterval: 60)
    }
}
