import Answer
import Testing
import XCTest

final class FailingCase: XCTestCase {
    func testPasses() {
        XCTAssertEqual(answer(), 42)
    }

    func testWrongAnswer() {
        XCTAssertEqual(answer(), 41, "markup <&> and ]]> and a \u{1} control character")
    }
}

@Test func expectsTheWrongAnswer() {
    #expect(answer() == 43, "off by one")
}
