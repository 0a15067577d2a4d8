import Foundation
import XCTest

final class SlowCCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 1.2)
    }
}
