import Calc
import RunLog
import Testing

/// Each test reaches one thing of `Codes.swift`, and all of them the module's descriptor.
@Suite struct CodesTests {
    @Test func outcomeDescribes() {
        ran("outcomeDescribes")
        #expect(Outcome.denied.describe() == "denied")
    }

    @Test func counterBumps() {
        ran("counterBumps")
        let counter = Counter()
        #expect(counter.bump() == 1)
    }

    @Test func clampsValues() {
        ran("clampsValues")
        #expect(clamp(12, 0, 10) == 10 && clamp(0.5, 0.0, 1.0) == 0.5)
    }
}
