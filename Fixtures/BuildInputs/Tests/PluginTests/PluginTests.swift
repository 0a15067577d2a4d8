import Generated
import XCTest

final class PluginTests: XCTestCase {
    func testTheGeneratedValue() {
        XCTAssertEqual(generatedValue, 7)
    }
}
