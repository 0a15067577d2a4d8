public import Foundation

/// A fresh directory under the system's temporary directory, removed when the value goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("testcache-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A store directory inside this one.
    public var storePath: String { path + "/store" }
}

/// An error of the test harness itself (a missing executable), with what to do about it.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The path of a file this package builds into its products directory (a shared library, say), found
/// beside the running test binary as ``builtExecutable(_:)`` finds executables.
public func builtProduct(_ name: String) throws -> String {
    let beside = URL(fileURLWithPath: try builtExecutable("testcache-reader")).deletingLastPathComponent()
    let path = beside.appendingPathComponent(name).path
    guard FileManager.default.fileExists(atPath: path) else {
        throw HarnessError("\(name) not found in \(beside.path): build with `swift build --build-tests`")
    }
    return path
}

/// The path of an executable this package builds, found beside the running test binary.
///
/// `swift build --build-tests` (and `swift test`) build every executable of the package into the same
/// directory as the test binary.
public func builtExecutable(_ name: String) throws -> String {
    var candidates: [String] = []
    #if os(Linux)
    if let binary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append(binary)
    }
    #endif
    candidates.append(contentsOf: Bundle.allBundles.map(\.bundlePath))
    candidates.append(CommandLine.arguments[0])
    for candidate in candidates {
        var directory = URL(fileURLWithPath: candidate).deletingLastPathComponent()
        // The test binary is at most a bundle's depth (X.xctest/Contents/MacOS) below the products.
        for _ in 0..<4 {
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
            directory = directory.deletingLastPathComponent()
        }
    }
    throw HarnessError("\(name) not found beside the test binary: build with `swift build --build-tests`")
}

/// What a finished process did.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Starts a built executable with separate stdout and stderr pipes.
public func startExecutable(
    _ name: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> Process {
    try startProgram(try builtExecutable(name), arguments, environment: environment)
}

/// Runs any program to completion (by absolute path).
public func runProgram(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    finish(try startProgram(path, arguments, environment: environment))
}

private func startProgram(_ path: String, _ arguments: [String], environment: [String: String]?) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try process.run()
    return process
}

/// Waits for a process started by ``startExecutable(_:_:environment:)`` and collects its output.
public func finish(_ process: Process) -> ProcessResult {
    // stderr is read on another thread so that neither pipe can fill up and stall the child.
    let stderrPipe = process.standardError as! Pipe
    let stderrData = LockedData()
    let reading = DispatchGroup()
    DispatchQueue.global().async(group: reading) {
        stderrData.set(stderrPipe.fileHandleForReading.readDataToEndOfFile())
    }
    let stdout = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    reading.wait()
    let result = ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderrData.value, as: UTF8.self)
    )
    if process.executableURL?.lastPathComponent == "swift-testcache" { recordCrashNotes(result.stderr) }
    return result
}

/// The file CI names for the tool's notes of crashed toolchain commands (`.ci/run` counts its lines at the
/// end, so that a run shows how many builds survived a crash), or nil outside CI.
private let crashLog = ProcessInfo.processInfo.environment["TESTCACHE_CI_CRASH_LOG"]

/// Appends swift-testcache's notes of crashed `swift` commands, one line each, to ``crashLog``.
private func recordCrashNotes(_ stderr: String) {
    guard let crashLog else { return }
    let notes = stderr.split(separator: "\n").filter {
        $0.hasPrefix("swift-testcache: swift ") && $0.contains(" crashed (")
    }
    // Appended in one write to a file opened for appending, so that tests running at once do not mix lines.
    guard !notes.isEmpty, let file = fopen(crashLog, "a") else { return }
    fputs(notes.map { $0 + "\n" }.joined(), file)
    fclose(file)
}

/// Runs a built executable to completion.
public func runExecutable(
    _ name: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> ProcessResult {
    finish(try startExecutable(name, arguments, environment: environment))
}

/// Data handed from a reader thread, guarded by a lock.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    var value: Data { lock.withLock { data } }
}

/// The environment the built swift-testcache runs in under test: this process's, without any
/// `SWIFT_TESTCACHE_*` setting of the developer's (a remote cache, a debug switch, a store) and without
/// GitHub Actions' switches (a CI job's would add annotations to every run), with the store at `store`,
/// and `extra` on top.
public func toolEnvironment(store: String, _ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter {
        !$0.key.hasPrefix("SWIFT_TESTCACHE_") && $0.key != "GITHUB_ACTIONS" && $0.key != "GITHUB_STEP_SUMMARY"
    }
    environment["SWIFT_TESTCACHE_DIR"] = store
    environment.merge(extra) { $1 }
    return environment
}

/// Runs the built swift-testcache to completion with ``toolEnvironment(store:_:)``.
public func runTool(_ arguments: [String], store: String, environment extra: [String: String] = [:]) throws -> ProcessResult {
    try runExecutable("swift-testcache", arguments, environment: toolEnvironment(store: store, extra))
}

/// Whether this is Linux, where the read tracer (an LD_PRELOAD library) works.
public let isLinux: Bool = {
    #if os(Linux)
    true
    #else
    false
    #endif
}()
