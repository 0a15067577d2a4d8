/// Runs the toolchain's own commands (`swift build`, `swift package`, `swift --version`) and runs one
/// again when it crashed rather than failed.
///
/// A crash of the build tool says nothing about the package: Swift Build in Swift 6.3.1 crashes now and
/// then in libdispatch while planning a clean build (`*** Program crashed: Bad pointer dereference`,
/// swiftlang/swift#87033), and the same command run again works. So a command that crashed is run again,
/// with a one-line note each time, up to ``attempts`` runs in all; what the last run gave is returned, so
/// a build that crashed every time is a failed build that shows its last crash, and one that failed
/// without crashing is returned at once, as is one whose task was cancelled. Test binaries never go
/// through this: their crash is a result.
struct CrashRetryingRunner: ProcessRunning {
    /// Runs of one command, the first included. Measured here (BENCHMARKS.md, "Swift Build's crash"):
    /// a clean Swift Build build crashed in 5 of 70 with the unit suites running beside it and in none of
    /// 60 without, and a crash happens while planning, within seconds, so a retry is cheap. Six runs leave
    /// a chance of at most (1/4)^6 ≈ 1 in 4,000 that a command fails by crashing alone even if the rate
    /// were three times that, while a tool that crashes every time (a broken toolchain) is reported after
    /// seconds, not left looping.
    static let attempts = 6

    let base: any ProcessRunning
    /// Says something on stderr, as `swift-testcache: …`.
    let note: @Sendable (String) -> Void

    func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8]) {
        try await retrying(arguments) {
            try await base.capture(executable, arguments, workingDirectory: workingDirectory, environment: environment)
        } crash: { result in
            Self.crash(result.termination, output: result.stderr) ?? Self.crash(result.termination, output: result.stdout)
        }
    }

    func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun {
        try await retrying(arguments) {
            try await base.runMerged(
                executable, arguments, workingDirectory: workingDirectory, environment: environment, timeout: timeout,
                stream: stream)
        } crash: { run in
            run.timedOut ? nil : Self.crash(run.termination, output: run.output)
        }
    }

    /// Runs `attempt` until it did not crash or ``attempts`` runs were made, noting each crash.
    private func retrying<Result>(
        _ arguments: [String], _ attempt: () async throws -> Result, crash: (Result) -> String?
    ) async throws -> Result {
        let command = Self.commandName(arguments)
        var made = 0
        while true {
            let result = try await attempt()
            made += 1
            // A command whose task was cancelled was stopped by a signal (a `swift package describe`
            // started in case it was needed, Ctrl-C in `watch`): stopped, not crashed, and not to run again.
            guard !Task.isCancelled, let crashed = crash(result) else { return result }
            guard made < Self.attempts else {
                note("\(command) crashed (\(crashed)) on each of \(Self.attempts) attempts; giving up")
                return result
            }
            note("\(command) crashed (\(crashed)); running it again (attempt \(made + 1) of \(Self.attempts))")
        }
    }

    /// How a command crashed, when it did rather than failing: killed by a signal, or the Swift runtime's
    /// crash report (`*** Program crashed: …`) in its output; nil for a run that exited, with any status,
    /// and reported no crash.
    static func crash(_ termination: Termination, output: [UInt8]) -> String? {
        if case .signaled = termination { return termination.description }
        guard termination != .exited(0) else { return nil }
        let marker = Array("*** Program crashed: ".utf8)
        guard let start = output.firstRange(of: marker) else { return nil }
        let line = output[start.upperBound...].prefix { $0 != UInt8(ascii: "\n") }
        let trimmed = line.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "*") }
        return String(decoding: trimmed.reversed(), as: UTF8.self)
    }

    /// The command as a user would name it in a note: `swift build`, `swift package`, `swift --version`.
    static func commandName(_ arguments: [String]) -> String {
        "swift" + (arguments.first.map { " " + $0 } ?? "")
    }
}
