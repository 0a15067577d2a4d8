import Foundation
import TestCacheReports

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
    /// How each target that ran now came out, in order: what the run history records.
    private(set) var ranNow: [RanTarget] = []

    /// A target run now, as the run history needs it.
    struct RanTarget: Sendable {
        var name: String
        var status: TargetStatus
        /// Its tests that failed (quarantined ones not counted) and those that were flaky.
        var failed: [String]
        var flaky: [String]
    }

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
            if !result.cached {
                ranNow.append(RanTarget(
                    name: result.name, status: result.status, failed: result.tests.filter(\.failsTheRun).map(\.id),
                    flaky: result.tests.filter { $0.outcome == .flaky }.map(\.id)))
            }
            if showsCoverage { result.loadStoredDetails() }
            if output.printsLines {
                let shown = showsOutput || result.status.isFailure || result.status == .flaky || result.tests.contains(where: \.failedInQuarantine)
                if shown && !streamed && !result.output.isEmpty {
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
