import Foundation
import XCTest

final class SlowBCase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 2.0)
    }
}
