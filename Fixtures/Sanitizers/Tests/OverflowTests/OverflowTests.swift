import Buffers
import XCTest

final class OverflowTests: XCTestCase {
    func testOverrun() {
        XCTAssertEqual(sum(4, overrun: 1), 6)
    }
}
