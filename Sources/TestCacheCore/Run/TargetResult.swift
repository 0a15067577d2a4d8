import Foundation
import TestCacheReports

/// One target's result, run now or replayed from the cache.
struct TargetResult: Sendable {
    var name: String
    var status: TargetStatus
    /// The test output, standard output and error merged.
    var output: [UInt8] = []
    /// How long it ran; nil for outcomes that show no time. A replayed result keeps its stored run's.
    var duration: Duration?
    var cached = false
    /// How many of ``tests`` were replayed from results cached per test, the others having run now.
    var replayedTests = 0
    /// Its tests, as the testing libraries reported them: XCTest's, then Swift Testing's.
    var tests: [TestCaseResult] = []
    /// Its line coverage, with `--enable-code-coverage`.
    var coverage: TargetCoverage?
    /// A replayed result's stored time and tests, not yet decoded: only the reports and the tally need
    /// them, and decoding a hundred of them would cost the fully cached path several milliseconds.
    var storedDetails: ArraySlice<UInt8>?

    /// Decodes the stored time and tests into ``duration`` and ``tests``; a record whose details do not
    /// decode keeps none (its output and status were whole, and are what was replayed).
    mutating func loadStoredDetails() {
        guard let details = storedDetails else { return }
        storedDetails = nil
        // Details that do not decode leave the replayed result without its tests and time: the reports
        // show less, and the result itself (its status and output, checked already) is still the stored one.
        guard let decoded = try? JSONDecoder().decode(ResultRecord.Details.self, from: Data(details)) else { return }
        duration = decoded.duration.map { .nanoseconds(Int64((Seconds.bounded($0) * 1e9).rounded())) }
        tests = decoded.tests
        coverage = decoded.coverage
    }

    /// The Go-style summary line; with coverage, ending as Go's does with it.
    var summaryLine: String {
        guard let coverage, status == .passed || status == .failed || status == .flaky else { return plainSummaryLine }
        return plainSummaryLine + "\t" + coverage.summary
    }

    private var plainSummaryLine: String {
        var time = cached ? "(cached)" : duration.map(summaryTime) ?? ""
        // Some tests ran and the others were replayed: Go's line, and how many were not run again.
        if !cached && replayedTests > 0 { time += "\t(\(replayedTests) of \(tests.count) tests cached)" }
        let quarantined = tests.count(where: \.failedInQuarantine)
        if quarantined > 0 { time += "\t(\(quarantined) quarantined test\(quarantined == 1 ? "" : "s") failed)" }
        switch status {
        case .passed: return "ok  \t\(name)\t\(time)"
        case .noTestsToRun: return "ok  \t\(name)\t\(time) [no tests to run]"
        case .noTestFiles: return "?   \t\(name)\t[no test files]"
        case .failed: return "FAIL\t\(name)\t\(time)"
        case .flaky: return "FLAKY\t\(name)\t\(time)"
        case .buildFailed: return "FAIL\t\(name) [build failed]"
        case .setupFailed: return "FAIL\t\(name) [setup failed]"
        }
    }

    /// The result as the reports show it.
    var report: TargetReport {
        return TargetReport(
            name: name, outcome: status, cached: cached, duration: duration.map(seconds), output: String(decoding: output, as: UTF8.self),
            summaryLine: summaryLine, tests: tests, coverage: coverage)
    }
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

/// A target run now: its result, and what deciding whether to store it needs.
struct TargetRun: Sendable {
    var result: TargetResult
    /// Whether the result may be stored: it passed and its output is whole.
    var storable = false
    /// What its processes consulted, when they ran under the read tracer.
    var trace: TraceLog?
    /// When its first process started (nanoseconds since 1970): inputs changed after it make the result unsafe to store.
    var started: Int64 = 0
    /// Whether the output was already shown as it came (`-v` with one target or `-j 1`).
    var streamed = false
    /// Whether the tests that passed may be stored one by one: the output is whole and what the run read
    /// is known, whatever the other tests did.
    var testsStorable = false
    /// What the run owes to results cached per test, when they were looked up.
    var perTest: PerTestRun?
}
