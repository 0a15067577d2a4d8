import Shapes
import XCTest

final class SquareTests: XCTestCase {
    func testArea() {
        XCTAssertEqual(squareArea(3), 9)
        XCTAssertEqual(describe(3), "small")
    }
}
