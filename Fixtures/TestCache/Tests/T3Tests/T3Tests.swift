import P1
import Testing
import XCTest

final class T3XCTests: XCTestCase {
    func test3() {
        print("x is \(x)")
        XCTAssertEqual(x, 1)
    }
}

@Test func t3() {
    #expect(x == 1)
}
