import Foundation
import XCTest

final class StubbornTests: XCTestCase {
    /// Ignores SIGTERM, so that only the SIGKILL that follows it can stop the test.
    func testIgnoresTermination() {
        signal(SIGTERM, SIG_IGN)
        print("ignoring SIGTERM")
        fflush(nil)
        Thread.sleep(forTimeInterval: 60)
    }
}
