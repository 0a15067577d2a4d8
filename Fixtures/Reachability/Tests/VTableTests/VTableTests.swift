import Reach
import XCTest

final class VTableTests: XCTestCase {
    func testSound() {
        XCTAssertEqual(pet().sound(), "woof")
    }
}
