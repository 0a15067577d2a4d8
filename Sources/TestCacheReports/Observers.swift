import Foundation
import Synchronization

/// Writes each target's test2json events as its report arrives (`--json`). The run's last event carries
/// its totals as one more field, `TestCache` (``RunTally/jsonObject``), which readers of go test's
/// stream ignore: so each target's last line waits for the next target, or for the end of the run.
public final class JSONEventObserver: RunObserver {
    private let write: @Sendable (String) -> Void
    private let clock: @Sendable () -> Int64
    /// The last event written so far, held back; and the totals so far.
    private let held = Mutex<(line: String?, tally: RunTally)>((nil, RunTally()))

    /// - Parameters:
    ///   - write: where the lines go (standard output).
    ///   - clock: nanoseconds since 1970, for each event's `Time`.
    public init(write: @escaping @Sendable (String) -> Void, clock: @escaping @Sendable () -> Int64) {
        self.write = write
        self.clock = clock
    }

    public func targetFinished(_ report: TargetReport) {
        var lines = Test2JSON.events(for: report, time: clock()).split(separator: "\n", omittingEmptySubsequences: true).map { String($0) + "\n" }
        let last = lines.popLast()
        let earlier = held.withLock { held in
            let earlier = held.line
            held.line = last
            held.tally.add(report)
            return earlier
        }
        write((earlier ?? "") + lines.joined())
    }

    public func runFinished(interrupted: Bool) {
        let (line, tally) = held.withLock { held in
            defer { held.line = nil }
            return (held.line, held.tally)
        }
        guard let line, line.hasSuffix("}\n") else { return }
        write(line.dropLast(2) + ",\"TestCache\":" + tally.jsonObject + "}\n")
    }
}

/// Keeps every report and writes the JUnit file (`--junit-xml FILE`) whole after each target and when the
/// run ends. Each write replaces the file in one step (written beside it, then renamed), so a reader never
/// sees half of it, and a run stopped at any point (Ctrl-C, a CI timeout) leaves a valid file with every
/// target reported by then, marked as interrupted.
public final class JUnitObserver: RunObserver {
    private let path: String
    private let root: String?
    private let reports = Mutex<[TargetReport]>([])
    private let warn: @Sendable (String) -> Void

    public init(path: String, root: String?, warn: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.root = root
        self.warn = warn
    }

    public func targetFinished(_ report: TargetReport) {
        let reports = reports.withLock { reports in
            reports.append(report)
            return reports
        }
        write(reports, interrupted: true)
    }

    public func runFinished(interrupted: Bool) {
        write(reports.withLock { $0 }, interrupted: interrupted)
    }

    private func write(_ reports: [TargetReport], interrupted: Bool) {
        let document = JUnitXML.document(reports, root: root, interrupted: interrupted)
        do {
            try Data(document.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            warn("cannot write the JUnit report to \(path): \(error.localizedDescription)")
        }
    }

    /// Why the report `option` names cannot be written at `path`, or nil when it can: its directory must
    /// exist and take a new file (tried for real), and the path must not be a directory.
    public static func problem(writing path: String, for option: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(option) \(path) is a directory"
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let probe = directory + "/.swift-testcache-report-\(getpid())"
        guard FileManager.default.createFile(atPath: probe, contents: nil) else {
            return "\(option) \(path): cannot create a file in \(directory)"
        }
        try? FileManager.default.removeItem(atPath: probe)
        return nil
    }
}

/// Under GitHub Actions: annotations for the failed tests and a table appended to the step summary, both
/// when the run ends.
public final class GitHubActionsObserver: RunObserver {
    private let reports = Mutex<[TargetReport]>([])
    private let workspace: String?
    private let stepSummaryPath: String?
    private let write: @Sendable (String) -> Void
    private let warn: @Sendable (String) -> Void

    /// - Parameters:
    ///   - workspace: `GITHUB_WORKSPACE`, against which annotated files are named.
    ///   - stepSummaryPath: `GITHUB_STEP_SUMMARY`, the file the table is appended to.
    ///   - write: where the annotation lines go (a stream the runner reads workflow commands from).
    public init(
        workspace: String?, stepSummaryPath: String?, write: @escaping @Sendable (String) -> Void,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.workspace = workspace
        self.stepSummaryPath = stepSummaryPath
        self.write = write
        self.warn = warn
    }

    public func targetFinished(_ report: TargetReport) {
        reports.withLock { $0.append(report) }
    }

    public func runFinished(interrupted: Bool) {
        let reports = reports.withLock { $0 }
        let lines = GitHubActions.annotations(reports, workspace: workspace)
        if !lines.isEmpty { write(lines.map { $0 + "\n" }.joined()) }
        guard let stepSummaryPath, !stepSummaryPath.isEmpty else { return }
        guard let handle = FileHandle(forWritingAtPath: stepSummaryPath) ?? Self.created(stepSummaryPath) else {
            warn("cannot append to the step summary \(stepSummaryPath)")
            return
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(GitHubActions.stepSummary(reports).utf8))
        } catch {
            warn("cannot append to the step summary \(stepSummaryPath): \(error.localizedDescription)")
        }
    }

    private static func created(_ path: String) -> FileHandle? {
        FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
    }
}
