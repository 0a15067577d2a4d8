import XCTest

final class UnrelatedTests: XCTestCase {
    func testArithmetic() {
        XCTAssertEqual(2 + 2, 4)
    }
}
