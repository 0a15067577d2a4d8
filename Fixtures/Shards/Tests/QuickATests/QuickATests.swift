import Foundation
import XCTest

final class QuickACase: XCTestCase {
    func testTakesItsTime() {
        Thread.sleep(forTimeInterval: 0.1)
    }
}
