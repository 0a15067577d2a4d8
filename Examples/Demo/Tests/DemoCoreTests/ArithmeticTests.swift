import DemoCore
import XCTest

final class ArithmeticTests: XCTestCase {
    func testTotalOfNothingIsZero() {
        XCTAssertEqual(total([]), 0)
    }

    func testTotal() {
        XCTAssertEqual(total([1, 2, 3]), 6)
    }
}
