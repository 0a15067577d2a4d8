#if !canImport(ObjectiveC)
import XCTest

extension ShoutTests {
    // As `swift test --generate-linuxmain` wrote them.
    static let __allTests__ShoutTests = [
        ("testSecondRun", testSecondRun),
        ("testShout", testShout),
    ]
}

public func __allTests() -> [XCTestCaseEntry] {
    return [
        testCase(ShoutTests.__allTests__ShoutTests),
    ]
}
#endif
