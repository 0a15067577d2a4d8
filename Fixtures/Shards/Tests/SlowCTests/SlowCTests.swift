import Foundation
import XCTest

final class SlowCCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.6)
    }
}
