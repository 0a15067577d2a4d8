import Foundation
import XCTest

final class QuickCCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.1)
    }
}
