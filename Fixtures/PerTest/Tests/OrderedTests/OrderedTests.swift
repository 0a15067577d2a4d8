import Calc
import RunLog
import Testing

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
