import Foundation
import XCTest

final class SlowBCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 1.0)
    }
}
