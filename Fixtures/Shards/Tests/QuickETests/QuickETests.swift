import Foundation
import XCTest

final class QuickECase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.1)
    }
}
