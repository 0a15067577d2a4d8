import Calc
import RunLog
import Testing

/// Serialized: its tests may rely on running in order, so the target is cached only whole.
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
