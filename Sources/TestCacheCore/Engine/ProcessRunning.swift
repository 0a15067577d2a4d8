/// Runs child processes: the package commands, `swift build`, the test binaries.
///
/// The engine reaches every process through this, so that its tests can answer for SwiftPM and the test
/// binary without building anything. ``CommandRunner`` is the real one.
public protocol ProcessRunning: Sendable {
    /// Runs to completion, capturing standard output and standard error apart.
    func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8])

    /// Runs with standard output and error merged into one stream, stopped after `timeout` (SIGTERM,
    /// then SIGKILL after a grace); `stream`, when set, sees the output as it comes.
    func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun
}
