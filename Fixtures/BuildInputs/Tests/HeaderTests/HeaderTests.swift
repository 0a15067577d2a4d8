import CValue
import XCTest

final class HeaderTests: XCTestCase {
    func testTheSharedHeadersValue() {
        XCTAssertEqual(c_value(), 42)
    }
}
