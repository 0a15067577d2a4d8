/// A run's totals: `12 targets: 3 ran, 9 cached, 0 failed; 240 tests: 12 ran, 228 cached; 1m42s saved by
/// the cache`. Saved: the stored times of what was replayed, whole targets' and single tests'.
public struct RunTally: Sendable, Equatable, CustomStringConvertible {
    public var targets = 0
    public var ran = 0
    public var cached = 0
    public var failed = 0
    public var flaky = 0
    /// Tests whose failure did not fail the run: quarantined.
    public var quarantined = 0
    /// Tests reported, those that ran now and those replayed (in a replayed target, or one by one).
    public var tests = 0
    public var testsRan = 0
    public var testsCached = 0
    /// Seconds the replayed targets took when their results were stored, and the replayed tests of the
    /// targets that ran.
    public var saved = 0.0

    public init(_ reports: [TargetReport] = []) {
        for report in reports { add(report) }
    }

    public mutating func add(_ report: TargetReport) {
        targets += 1
        if report.cached {
            cached += 1
            saved += report.duration ?? 0
        } else if report.outcome != .noTestFiles && report.outcome != .buildFailed {
            ran += 1
        }
        if report.outcome.isFailure { failed += 1 }
        if report.outcome == .flaky { flaky += 1 }
        quarantined += report.quarantinedFailures
        tests += report.tests.count
        for test in report.tests {
            if report.cached || test.cached == true { testsCached += 1 } else { testsRan += 1 }
            // A target replayed whole counts its stored time once, above; a test replayed alone, its own.
            if !report.cached && test.cached == true { saved += test.elapsed }
        }
    }

    /// The tests' part of the line, or nothing when no test was reported.
    private var testsDescription: String {
        tests == 0 ? "" : "; \(tests) test\(tests == 1 ? "" : "s"): \(testsRan) ran, \(testsCached) cached"
    }

    public var description: String {
        "\(targets) target\(targets == 1 ? "" : "s"): \(ran) ran, \(cached) cached, \(failed) failed"
            + (flaky > 0 ? ", \(flaky) flaky" : "") + (quarantined > 0 ? ", \(quarantined) quarantined failed" : "") + testsDescription
            + "; \(Self.describe(seconds: saved)) saved by the cache"
    }

    /// The totals as a JSON object, as `--json`'s last event carries them: targets and tests run,
    /// replayed, failed, flaky and failed in quarantine, and the seconds the cache saved.
    public var jsonObject: String {
        "{\"Targets\":\(targets),\"TargetsRan\":\(ran),\"TargetsCached\":\(cached),\"Failed\":\(failed),\"Flaky\":\(flaky),"
            + "\"Tests\":\(tests),\"TestsRan\":\(testsRan),\"TestsCached\":\(testsCached),\"QuarantinedFailed\":\(quarantined),"
            + "\"Saved\":\(Test2JSON.seconds(saved))}"
    }

    /// Seconds as Go prints a duration, to the millisecond: `0s`, `250ms`, `1.203s`, `1m42s`, `1h2m3s`.
    public static func describe(seconds value: Double) -> String {
        let milliseconds = Int((Seconds.bounded(value) * 1_000).rounded())
        if milliseconds == 0 { return "0s" }
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 {
            var fraction = String(milliseconds % 1_000)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return "\(milliseconds / 1_000)" + (fraction.isEmpty ? "" : "." + fraction) + "s"
        }
        let seconds = (milliseconds + 500) / 1_000
        let hours = seconds / 3_600
        return (hours > 0 ? "\(hours)h" : "") + "\((seconds % 3_600) / 60)m\(seconds % 60)s"
    }
}
