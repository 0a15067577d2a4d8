import XCTest

final class OtherTests: XCTestCase {
    func testArithmetic() {
        XCTAssertEqual(2 + 2, 4)
    }
}
