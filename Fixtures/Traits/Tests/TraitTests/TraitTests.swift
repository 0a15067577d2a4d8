import Feature
import XCTest

final class TraitTests: XCTestCase {
    func testBase() {
        XCTAssertEqual(base(), 1)
    }

    #if EXTRA
    func testExtra() {
        XCTAssertEqual(extra(), 2)
    }
    #endif
}
