/// A run's totals: `12 targets: 3 ran, 9 cached, 0 failed; 1m42s saved by the cache`.
public struct RunTally: Sendable, Equatable, CustomStringConvertible {
    public var targets = 0
    public var ran = 0
    public var cached = 0
    public var failed = 0
    public var flaky = 0
    /// Seconds the replayed targets took when their results were stored.
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
    }

    public var description: String {
        "\(targets) target\(targets == 1 ? "" : "s"): \(ran) ran, \(cached) cached, \(failed) failed"
            + (flaky > 0 ? ", \(flaky) flaky" : "") + "; \(Self.describe(seconds: saved)) saved by the cache"
    }

    /// Seconds as Go prints a duration, to the millisecond: `0s`, `250ms`, `1.203s`, `1m42s`, `1h2m3s`.
    public static func describe(seconds value: Double) -> String {
        let milliseconds = Int((max(0, value) * 1_000).rounded())
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
