import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How a child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)\(signalName(signal).map { " (\($0))" } ?? "")"
        }
    }
}

private func signalName(_ signal: Int32) -> String? {
    [4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"][signal]
}

/// A finished child process whose standard output and error were merged, as Go merges them.
public struct MergedRun: Sendable {
    public var termination: Termination
    public var output: [UInt8]
    /// Whether the timeout stopped it.
    public var timedOut: Bool
    /// Whether output beyond ``CommandRunner/outputLimit`` was dropped.
    public var truncated: Bool

    public init(termination: Termination, output: [UInt8], timedOut: Bool = false, truncated: Bool = false) {
        self.termination = termination
        self.output = output
        self.timedOut = timedOut
        self.truncated = truncated
    }
}

/// Runs real child processes through swift-subprocess: the package commands, `swift build`, the test binaries.
public struct CommandRunner: ProcessRunning {
    /// Output kept from one process: far beyond any real test log, small enough to hold in memory.
    /// A log cut here is still shown, but not cached.
    package static let outputLimit = 64 << 20
    /// Time between SIGTERM and SIGKILL for a process past its timeout: Go's choice of grace.
    package static let killGrace: Duration = .seconds(5)

    /// Whether each child starts a process group of its own, stopped as a whole (SIGTERM, then SIGKILL)
    /// when its task is cancelled or its time is up. `watch` asks for it: Ctrl-C reaches it alone, and it
    /// stops the run's processes and everything they started. Off, children stay in the caller's group,
    /// where a terminal's Ctrl-C reaches them directly.
    public var isolatesProcessGroups = false

    /// Time a cancelled child's group has to end after SIGTERM before SIGKILL: enough for a test binary
    /// to flush its output, short enough that a person who pressed Ctrl-C is not kept waiting.
    package static let cancelGrace: Duration = .seconds(2)

    public init(isolatesProcessGroups: Bool = false) {
        self.isolatesProcessGroups = isolatesProcessGroups
    }

    /// The platform options of every child: its own process group and how it is stopped, when isolated.
    private var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        if isolatesProcessGroups {
            options.processGroupID = 0
            options.teardownSequence = [
                .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: Self.cancelGrace),
                .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(100)),
            ]
        }
        return options
    }

    /// Runs to completion, capturing standard output and standard error apart.
    public func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8]) {
        let result = try await Subprocess.run(
            Self.executable(executable),
            arguments: Arguments(arguments),
            environment: .custom(environmentKeys(environment)),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: platformOptions,
            output: .bytes(limit: Self.outputLimit),
            error: .bytes(limit: Self.outputLimit)
        )
        return (Termination(result.terminationStatus), result.standardOutput, result.standardError)
    }

    /// Runs with standard output and error merged into one stream, stopped after `timeout`
    /// (SIGTERM, then SIGKILL after ``killGrace``); `stream`, when set, sees the output as it comes.
    public func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun {
        let result = try await Subprocess.run(
            Self.executable(executable),
            arguments: Arguments(arguments),
            environment: .custom(environmentKeys(environment)),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: platformOptions,
            input: .none,
            output: .sequence,
            error: .combinedWithOutput
        ) { execution in
            try await withThrowingTaskGroup(of: RunEvent.self) { group in
                group.addTask {
                    var output: [UInt8] = []
                    var truncated = false
                    for try await buffer in execution.standardOutput {
                        let bytes = buffer.withUnsafeBytes { Array($0) }
                        stream?(bytes)
                        let room = Self.outputLimit - output.count
                        if bytes.count > room { truncated = true }
                        output.append(contentsOf: bytes.prefix(max(0, room)))
                    }
                    return .finished(output, truncated: truncated)
                }
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                    } catch {
                        return .timerCancelled
                    }
                    await execution.teardown(using: [.gracefulShutDown(toProcessGroup: isolatesProcessGroups, allowedDurationToNextStep: Self.killGrace)])
                    return .timedOut
                }
                var collected: (output: [UInt8], truncated: Bool) = ([], false)
                var timedOut = false
                while let event = try await group.next() {
                    switch event {
                    case .finished(let output, let truncated):
                        collected = (output, truncated)
                        group.cancelAll()
                    case .timedOut: timedOut = true
                    case .timerCancelled: break
                    }
                }
                return (collected, timedOut)
            }
        }
        let (collected, timedOut) = result.closureResult
        return MergedRun(
            termination: Termination(result.terminationStatus),
            output: collected.output,
            timedOut: timedOut,
            truncated: collected.truncated
        )
    }

    /// A path when the name has a slash, else a program looked up on PATH (as a shell would: `--exec valgrind`).
    private static func executable(_ name: String) -> Executable {
        name.contains("/") ? .path(FilePath(name)) : .name(name)
    }

    /// The environment as swift-subprocess takes it; a name it refuses (one no process could be given,
    /// with `=` or NUL in it) is left out rather than crashing the run.
    private func environmentKeys(_ environment: [String: String]) -> [Environment.Key: String] {
        Dictionary(environment.compactMap { entry in Environment.Key(rawValue: entry.key).map { ($0, entry.value) } }, uniquingKeysWith: { first, _ in first })
    }
}

/// One event of a run with a timeout.
private enum RunEvent: Sendable {
    case finished([UInt8], truncated: Bool)
    case timedOut
    case timerCancelled
}

extension Termination {
    init(_ status: TerminationStatus) {
        switch status {
        case .exited(let code): self = .exited(Int32(code))
        case .signaled(let signal): self = .signaled(Int32(signal))
        }
    }
}

/// A word quoted for a POSIX shell when it needs it.
package func shellQuoted(_ word: String) -> String {
    let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%^".contains($0) }
    return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
