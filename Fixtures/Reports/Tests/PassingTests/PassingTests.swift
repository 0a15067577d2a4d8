import Answer
import Testing
import XCTest

final class PassingCase: XCTestCase {
    func testAnswer() {
        print("checking the answer")
        XCTAssertEqual(answer(), 42)
    }

    func testNotToday() throws {
        throw XCTSkip("not today")
    }
}

@Suite struct PassingSuite {
    @Test func answerIsEven() {
        #expect(answer() % 2 == 0)
    }

    @Test(.disabled("switched off")) func switchedOff() {}
}
