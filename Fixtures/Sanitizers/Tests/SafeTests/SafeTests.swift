import Buffers
import XCTest

final class SafeTests: XCTestCase {
    func testSum() {
        XCTAssertEqual(sum(4), 6)
    }
}
