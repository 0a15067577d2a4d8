import Calc
import RunLog
import Testing
import XCTest

/// Serialized: its tests may rely on running in order, so the suite is one unit of the cache.
@Suite(.serialized) struct OrderedTests {
    @Test func first() {
        ran("first")
        #expect(negate(1) == -1)
    }

    @Test func second() {
        ran("second")
        #expect(negate(-2) == 2)
    }
}

/// Outside the serialized suite: a unit of its own.
@Test func apart() {
    ran("apart")
    #expect(1 + 1 == 2)
}

/// Two classes with a test of one name: neither test owns its function (the name alone cannot tell
/// which class's runs), and natively nothing keyed points at them (SwiftPM's test list is not keyed).
final class DuplicateA: XCTestCase {
    func testSame() {
        ran("DuplicateA.testSame")
        XCTAssertEqual([1, 2].map { $0 * 2 }, [2, 4])
    }
}

final class DuplicateB: XCTestCase {
    func testSame() {
        ran("DuplicateB.testSame")
        XCTAssertEqual([1, 2].map { $0 * 3 }, [3, 6])
    }
}

/// A test that is a protocol's witness: testTwice runs it through `Repeats.runStepTwice()`.
class StepTests: XCTestCase, Repeats {
    var steps = 0
    var insideTwice = false

    func testStep() {
        if !insideTwice { ran("StepTests.testStep") }
        steps += 1
        XCTAssertLessThanOrEqual(steps, 2)
    }

    func testTwice() {
        ran("StepTests.testTwice")
        insideTwice = true
        runStepTwice()
        XCTAssertEqual(steps, 2)
    }
}
