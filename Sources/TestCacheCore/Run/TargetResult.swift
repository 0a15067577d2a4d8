import Foundation
import TestCacheReports

/// How one test target came out.
enum TargetStatus: String, Sendable {
    case passed = "ok"
    /// The filters selected none of its tests.
    case noTestsToRun = "no-tests-to-run"
    /// It has no tests at all.
    case noTestFiles = "no-test-files"
    case failed
    /// It failed, and passed when its failed tests ran again (`--retries`): the run passes, and the result
    /// is not stored, since a pass that needed a retry is no evidence.
    case flaky
    case buildFailed
    case setupFailed

    var isFailure: Bool { self == .failed || self == .buildFailed || self == .setupFailed }
    /// Only passing outcomes are stored, as in Go.
    var isStorable: Bool { self == .passed || self == .noTestsToRun || self == .noTestFiles }
}

/// One target's result, run now or replayed from the cache.
struct TargetResult: Sendable {
    var name: String
    var status: TargetStatus
    /// The test output, standard output and error merged.
    var output: [UInt8] = []
    /// How long it ran; nil for outcomes that show no time. A replayed result keeps its stored run's.
    var duration: Duration?
    var cached = false
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
        guard let decoded = try? JSONDecoder().decode(ResultRecord.Details.self, from: Data(details)) else { return }
        duration = decoded.duration.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        tests = decoded.tests
        coverage = decoded.coverage
    }

    /// The Go-style summary line; with coverage, ending as Go's does with it.
    var summaryLine: String {
        guard let coverage, status == .passed || status == .failed || status == .flaky else { return plainSummaryLine }
        return plainSummaryLine + "\t" + coverage.summary
    }

    private var plainSummaryLine: String {
        let time = cached ? "(cached)" : duration.map(summaryTime) ?? ""
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
        let outcome: TargetReport.Outcome = switch status {
        case .passed: .passed
        case .noTestsToRun: .noTestsToRun
        case .noTestFiles: .noTestFiles
        case .failed: .failed
        case .flaky: .flaky
        case .buildFailed: .buildFailed
        case .setupFailed: .setupFailed
        }
        return TargetReport(
            name: name, outcome: outcome, cached: cached, duration: duration.map(seconds), output: String(decoding: output, as: UTF8.self),
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
}

/// A stored result's bytes: a header line naming the outcome, a line of JSON with how long the run took
/// and its tests, then the output exactly as it was.
enum ResultRecord {
    /// Version 2 added the time and the tests: a record of version 1 lacks them, and so is a miss.
    static let magic = "stc-test-result 2 "

    /// The second line.
    struct Details: Codable {
        /// Seconds the run took.
        var duration: Double?
        var tests: [TestCaseResult]
        var coverage: TargetCoverage?
    }

    static func encode(_ result: TargetResult) -> [UInt8] {
        // JSONEncoder escapes newlines inside strings, so the details are one line. A replayed result
        // filed again keeps the details it was stored with, decoded or not.
        let details = result.storedDetails.map(Array.init)
            ?? Array((try? JSONEncoder().encode(Details(duration: result.duration.map(seconds), tests: result.tests, coverage: result.coverage)))
                ?? Data("{}".utf8))
        return Array((magic + result.status.rawValue + "\n").utf8) + details + [UInt8(ascii: "\n")] + result.output
    }

    /// The stored outcome and output, with the time and tests left to ``TargetResult/loadStoredDetails()``,
    /// or nil for anything that is not a whole record of a passing run.
    static func decode(_ bytes: [UInt8], name: String) -> TargetResult? {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
            let second = bytes[(newline + 1)...].firstIndex(of: UInt8(ascii: "\n"))
        else { return nil }
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        let details = bytes[(newline + 1)..<second]
        guard header.hasPrefix(magic), let status = TargetStatus(rawValue: String(header.dropFirst(magic.count))),
            status.isStorable, details.first == UInt8(ascii: "{"), details.last == UInt8(ascii: "}")
        else { return nil }
        return TargetResult(name: name, status: status, output: Array(bytes[(second + 1)...]), cached: true, storedDetails: details)
    }
}

/// A stored input list, the first step of a traced lookup: what the last passing run consulted.
enum InputsRecord {
    /// Version 2 added what the build read, version 3 what the linker read: an older list lacks them, and
    /// so is a miss.
    static let magic = Array("stc-test-inputs 3\n".utf8)

    static func encode(_ inputs: TestInputs) -> [UInt8] {
        magic + ((try? JSONEncoder().encode(inputs)).map(Array.init) ?? [])
    }

    /// The input list, or nil for anything that is not a whole record (a result stored untraced, say).
    static func decode(_ bytes: [UInt8]) -> TestInputs? {
        guard bytes.starts(with: magic) else { return nil }
        return try? JSONDecoder().decode(TestInputs.self, from: Data(bytes[magic.count...]))
    }
}

/// Prints each target's result when its turn comes, so lines appear in target order while targets run
/// in parallel: a failing target's output (or any target's, with `-v` or `--list`) above its summary line;
/// and gives each, in the same order, to the run's observers (the machine-readable reports).
actor OrderedReporter {
    private var pending: [Int: (TargetResult, streamed: Bool)] = [:]
    private var next = 0
    /// Whether passing targets' output is shown too.
    private let showsOutput: Bool
    private let output: EngineOutput
    /// The terminal's live status, erased before each line is printed.
    private let status: StatusLine?
    /// The totals so far, for the tally at the end.
    private(set) var tally = RunTally()
    /// Whether the tally is shown, and so needs replayed results' stored times.
    private let keepsTally: Bool
    /// Whether replayed lines show their stored coverage.
    private let showsCoverage: Bool

    init(showsOutput: Bool, output: EngineOutput, status: StatusLine?, keepsTally: Bool = false, showsCoverage: Bool = false) {
        self.showsOutput = showsOutput
        self.output = output
        self.status = status
        self.keepsTally = keepsTally
        self.showsCoverage = showsCoverage
    }

    /// Takes the result of the target at `index` of the run's selection; `streamed` when its output was
    /// already shown as it came.
    func deliver(_ index: Int, _ result: TargetResult, streamed: Bool = false) {
        pending[index] = (result, streamed)
        while let (delivered, streamed) = pending.removeValue(forKey: next) {
            var result = delivered
            status?.clear()
            if showsCoverage { result.loadStoredDetails() }
            if output.printsLines {
                if (showsOutput || result.status.isFailure || result.status == .flaky) && !streamed && !result.output.isEmpty {
                    var text = String(decoding: result.output, as: UTF8.self)
                    if !text.hasSuffix("\n") { text += "\n" }
                    output.standardOutput(text)
                }
                output.standardOutput(result.summaryLine + "\n")
            }
            if keepsTally || !output.observers.isEmpty {
                result.loadStoredDetails()
                let report = result.report
                tally.add(report)
                for observer in output.observers { observer.targetFinished(report) }
            }
            next += 1
        }
    }
}
