import XCTest

final class UnrelatedTests: XCTestCase {
    func testNothingElse() {
        XCTAssertEqual(1 + 1, 2)
    }
}
