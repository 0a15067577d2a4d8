/// A process runner that shows each command on its way to another, for `-x`.
struct EchoingRunner: ProcessRunning {
    let base: any ProcessRunning
    let echo: @Sendable (String) -> Void

    func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8]) {
        echo(commandLine(executable, arguments, workingDirectory: workingDirectory))
        return try await base.capture(executable, arguments, workingDirectory: workingDirectory, environment: environment)
    }

    func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun {
        echo(commandLine(executable, arguments, workingDirectory: workingDirectory))
        return try await base.runMerged(
            executable, arguments, workingDirectory: workingDirectory, environment: environment, timeout: timeout,
            stream: stream)
    }

    /// A shell-like rendering of a command.
    private func commandLine(_ executable: String, _ arguments: [String], workingDirectory: String?) -> String {
        let words = ([executable] + arguments).map(shellQuoted).joined(separator: " ")
        return workingDirectory.map { "cd \(shellQuoted($0)) && \(words)" } ?? words
    }
}
