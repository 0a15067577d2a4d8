import Defined
import XCTest

final class DefineTests: XCTestCase {
    func testTheFeatureIsOff() {
        XCTAssertFalse(featureOn)
    }
}
