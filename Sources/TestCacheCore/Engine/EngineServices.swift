#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import TestCacheStore

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

/// A cache shared beyond this machine, asked after the local store and given every new result.
///
/// Core owns the shape and knows nothing of how it is reached: the command layer hands in the HTTP
/// implementation (Bazel's remote-cache protocol), the engine's tests a fake. Nothing here may fail a
/// run: a fault is a miss or a skipped upload, and the implementation says so itself.
public protocol SharedCache: Sendable {
    /// Brings what the shared cache has under these keys into `store`; keys already there are not asked for.
    func fetch(_ keys: [ActionID], into store: ResultStore) async
    /// Uploads one entry in the background.
    func upload(_ key: ActionID, _ bytes: [UInt8])
    /// Waits, within the implementation's own bound, for the uploads still under way.
    func flush() async
    /// What it did in this run, for `-v` and `SWIFT_TESTCACHE_DEBUG=remote`: hits, misses, uploads, bytes.
    var summary: String { get }
}

/// What the engine takes from the world besides its configuration: time, scratch directories, child
/// processes and the shared cache. The command layer passes the real ones; tests pass fakes.
public struct EngineServices: Sendable {
    /// Wall-clock time in nanoseconds since 1970: when a test run started (inputs changed after it make
    /// its result unsafe to store) and when files were hashed (the stat cache's racy window).
    public var clock: @Sendable () -> Int64
    /// Makes a new private directory for one run's trace logs; nil when none can be made.
    public var makeTemporaryDirectory: @Sendable () -> String?
    public var processes: any ProcessRunning
    /// The cache shared with other machines, or nil for none.
    public var sharedCache: (any SharedCache)?

    public init(
        clock: @escaping @Sendable () -> Int64, makeTemporaryDirectory: @escaping @Sendable () -> String?,
        processes: any ProcessRunning, sharedCache: (any SharedCache)? = nil
    ) {
        self.clock = clock
        self.makeTemporaryDirectory = makeTemporaryDirectory
        self.processes = processes
        self.sharedCache = sharedCache
    }

    /// The real services: the system clock, directories made under `temporaryDirectory` (the command layer
    /// passes `$TMPDIR`'s), real child processes.
    public static func system(temporaryDirectory: String, sharedCache: (any SharedCache)? = nil) -> EngineServices {
        EngineServices(
            clock: StoreConfiguration.systemClock,
            makeTemporaryDirectory: { makePrivateDirectory(in: temporaryDirectory, prefix: "swift-testcache-trace") },
            processes: CommandRunner(),
            sharedCache: sharedCache)
    }
}

/// A new directory only its owner can enter, `<parent>/<prefix>-XXXXXX`; nil when it cannot be made.
package func makePrivateDirectory(in parent: String, prefix: String) -> String? {
    var template = Array((parent + "/" + prefix + "-XXXXXX").utf8CString)
    return template.withUnsafeMutableBufferPointer { buffer in
        mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
    }
}

/// Removes a directory that holds only files (a run's trace logs).
func removeFlatDirectory(_ path: String) {
    FileSystem.forEachFile(inDirectory: path) { _, _ in true }
    rmdir(path)
}

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
