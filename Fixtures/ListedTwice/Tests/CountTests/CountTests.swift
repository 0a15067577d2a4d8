import Testing
import Words
import XCTest

final class CountTests: XCTestCase {
    static var allTests = [("testCount", testCount)]

    func testCount() {
        logRun("testCount")
        XCTAssertEqual(count("a b c"), 3)
    }
}

/// Swift Testing's: run only once the package's own entry point is gone, as `swift test` does.
@Test func countsNothing() {
    logRun("countsNothing")
    #expect(count("") == 0)
}
