import Foundation
import XCTest

final class QuickDCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.1)
    }
}
