import Foundation
import XCTest

final class QuickBCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.1)
    }
}
