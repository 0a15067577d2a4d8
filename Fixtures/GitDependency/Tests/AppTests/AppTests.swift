import App
import XCTest

final class AppTests: XCTestCase {
    func testDoubled() {
        XCTAssertEqual(doubled(), 2)
    }
}
