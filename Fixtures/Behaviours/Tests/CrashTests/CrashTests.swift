import Foundation
import XCTest

final class CrashTests: XCTestCase {
    func testCrashes() {
        print("about to crash")
        fflush(nil)
        abort()
    }
}
