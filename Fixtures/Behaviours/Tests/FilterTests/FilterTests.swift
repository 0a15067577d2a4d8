import Testing
import Values
import XCTest

final class AlphaTests: XCTestCase {
    func testAlphaOne() { print("alpha one ran") }
    func testAlphaTwo() { print("alpha two ran") }
}

@Suite struct BetaSuite {
    @Test func betaOne() { print("beta one ran"); #expect(answer == 42) }
    @Test func betaTwo() { print("beta two ran") }
}
