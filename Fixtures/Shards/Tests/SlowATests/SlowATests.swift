import Foundation
import XCTest

final class SlowACase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 1.0)
    }
}
