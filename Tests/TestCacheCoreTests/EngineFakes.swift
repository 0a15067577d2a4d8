import Foundation
import Synchronization
import TestCacheStore
@testable import TestCacheCore
import _TestSupport

/// A small package on disk that the engine can key, and a fake SwiftPM and test binary that answer for
/// it: `swift --version`, `describe`, `build` (objects made from the sources minus their comments, so
/// that a comment edit builds the same), the test listing, the trace baseline and each target's run.
///
/// Layout: a library `Lib` and one XCTest target per name in `testTargets`, each depending on `Lib`.
final class FakePackage: Sendable {
    let directory: TemporaryDirectory
    let root: String
    let testTargets: [String]
    let runner: FakeSwiftPM
    /// The waits the engine asked for, in nanoseconds, none of them waited.
    let waits = Mutex<[Int64]>([])

    init(testTargets: [String] = ["T1Tests", "T2Tests"]) throws {
        directory = try TemporaryDirectory()
        root = directory.path + "/package"
        self.testTargets = testTargets
        runner = FakeSwiftPM(root: root, testTargets: testTargets)
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory.path + "/bin", withIntermediateDirectories: true)
        // Only found on PATH, never run: the fake runner answers for it.
        _ = manager.createFile(atPath: directory.path + "/bin/swift", contents: Data(), attributes: [.posixPermissions: 0o755])
        var manifest = "// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: \"Pkg\", targets: [\n"
        manifest += "    .target(name: \"Lib\"),\n"
        for name in testTargets { manifest += "    .testTarget(name: \"\(name)\", dependencies: [\"Lib\"]),\n" }
        manifest += "])\n"
        try manager.createDirectory(atPath: root + "/Sources/Lib", withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: root + "/Package.swift"))
        try write("Sources/Lib/Lib.swift", "public let value = 1\n")
        for name in testTargets {
            try manager.createDirectory(atPath: root + "/Tests/\(name)", withIntermediateDirectories: true)
            try write("Tests/\(name)/\(name).swift", "import XCTest\nfinal class \(name): XCTestCase { func testA() {} }\n")
        }
    }

    /// Replaces a file of the package.
    func write(_ relativePath: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: root + "/" + relativePath))
    }

    /// An engine for this package with `store`, the fake processes, and `shared` as its shared cache.
    func engine(
        store: ResultStore?, output: CollectedOutput, shared: (any SharedCache)? = nil, traced: Bool = false,
        debug: DebugOptions = DebugOptions(), verify: Bool = false,
        monotonicNow: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        clock: @escaping @Sendable () -> Int64 = StoreConfiguration.systemClock
    ) -> TestEngine {
        var configuration = EngineConfiguration(
            packagePath: root, environment: ["PATH": directory.path + "/bin", "HOME": "/home/tester"], salt: testSalt)
        configuration.debug = debug
        configuration.test.verify = verify
        // Never loaded: the fake test binary writes the trace log itself.
        configuration.tracer = traced ? directory.path + "/libTestCacheTrace.so" : nil
        let services = EngineServices(
            clock: clock, monotonicNow: monotonicNow,
            sleep: { [self] nanoseconds in waits.withLock { $0.append(nanoseconds) } },
            makeTemporaryDirectory: { [directory] in makePrivateDirectory(in: directory.path, prefix: "trace") },
            processes: runner, sharedCache: shared)
        return TestEngine(configuration: configuration, store: store, output: output.engineOutput, services: services)
    }
}

/// How one fake test target's run comes out.
struct FakeOutcome: Sendable {
    var exitStatus: Int32 = 0
    var output = ""
    /// Absolute paths the run reads, written to its trace log when traced.
    var reads: [String] = []
}

/// Answers the engine's commands for a ``FakePackage`` and counts what it was asked to do.
final class FakeSwiftPM: ProcessRunning {
    let root: String
    let testTargets: [String]
    private let state = Mutex<(builds: Int, testRuns: [String], buildFails: Bool, outcomes: [String: FakeOutcome], tornManifest: Bool)>(
        (0, [], false, [:], false))

    init(root: String, testTargets: [String]) {
        self.root = root
        self.testTargets = testTargets
    }

    var builds: Int { state.withLock { $0.builds } }
    /// The test targets run, in the order they were started.
    var testRuns: [String] { state.withLock { $0.testRuns } }
    func failBuilds(_ fail: Bool) { state.withLock { $0.buildFails = fail } }
    /// Builds write a manifest whose link command cannot be decoded.
    func tearManifests(_ torn: Bool) { state.withLock { $0.tornManifest = torn } }
    func setOutcome(_ target: String, _ outcome: FakeOutcome) { state.withLock { $0.outcomes[target] = outcome } }
    func resetCounts() { state.withLock { $0.builds = 0; $0.testRuns = [] } }

    var binary: String { root + "/.build/debug/PkgPackageTests.xctest" }

    func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8]) {
        if arguments == ["--version"] { return (.exited(0), Array("Swift version 0.0-fake\n".utf8), []) }
        if arguments.contains("describe") { return (.exited(0), Array(describeJSON.utf8), []) }
        if executable == binary {
            if arguments == ["--list-tests"] {
                return (.exited(0), Array(testTargets.map { "\($0).\($0)/testA\n" }.joined().utf8), [])
            }
            // Swift Testing: no tests in this binary (its listing and its baseline run exit 69).
            if arguments.first == "--testing-library" {
                writeTrace(["e HOME"], environment: environment)
                return (.exited(69), [], [])
            }
            if arguments == ["swift-testcache.Baseline"] {
                writeTrace(["e HOME"], environment: environment)
                return (.exited(0), [], [])
            }
        }
        throw FakeError("unexpected capture: \(executable) \(arguments)")
    }

    func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun {
        if arguments.first == "build" { return build() }
        if executable == binary, let selection = arguments.first {
            let target = String(selection.prefix { $0 != "." })
            let outcome = state.withLock { state in
                state.testRuns.append(target)
                return state.outcomes[target] ?? FakeOutcome()
            }
            writeTrace(["e HOME"] + outcome.reads.map { "r " + $0 }, environment: environment)
            let output = "Test Suite '\(selection)' started\n" + outcome.output
            return MergedRun(termination: .exited(outcome.exitStatus), output: Array(output.utf8))
        }
        throw FakeError("unexpected run: \(executable) \(arguments)")
    }

    /// Writes an object per target, its Swift sources without comment lines, and the test binary.
    private func build() -> MergedRun {
        let fails = state.withLock { state in
            state.builds += 1
            return state.buildFails
        }
        if fails {
            // As SwiftPM reports a compile error: after it started building.
            let output = "Building for debugging...\n[1/2] Compiling Lib a.swift\n/p/Sources/Lib/a.swift:1:1: error: the build failed\n"
            return MergedRun(termination: .exited(1), output: Array(output.utf8))
        }
        let manager = FileManager.default
        let buildDirectory = root + "/.build/debug"
        for (name, path) in [("Lib", "Sources/Lib")] + testTargets.map({ ($0, "Tests/\($0)") }) {
            var code = ""
            // Only sources are compiled, as SwiftPM compiles them: data files beside them make no object.
            for file in ((try? manager.contentsOfDirectory(atPath: root + "/" + path)) ?? []).sorted() where file.hasSuffix(".swift") {
                let text = (try? String(contentsOfFile: root + "/" + path + "/" + file, encoding: .utf8)) ?? ""
                code += text.split(separator: "\n").filter { !$0.hasPrefix("//") }.joined(separator: "\n")
            }
            try? manager.createDirectory(atPath: "\(buildDirectory)/\(name).build", withIntermediateDirectories: true)
            _ = manager.createFile(atPath: "\(buildDirectory)/\(name).build/\(name).swift.o", contents: Data(code.utf8))
        }
        _ = manager.createFile(atPath: binary, contents: Data("binary".utf8))
        // The llbuild manifest every native build writes: no plugin or link command the engine reads.
        let torn = state.withLock { $0.tornManifest }
        let link = torn ? "  \"C.link\":\n    outputs: [\"/p/.build/debug/PkgPackageTests.xctest\"]\n    description: \"Linking x\"\n    args: [\"-L\n" : ""
        _ = manager.createFile(atPath: root + "/.build/debug.yaml", contents: Data(("client:\n  name: basic\ncommands:\n" + link).utf8))
        return MergedRun(termination: .exited(0), output: Array("Build complete!\n".utf8))
    }

    private func writeTrace(_ lines: [String], environment: [String: String]) {
        guard let log = environment["SWIFT_TESTCACHE_TRACE_LOG"] else { return }
        _ = FileManager.default.createFile(atPath: log, contents: Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    private var describeJSON: String {
        var targets = [#"{"name": "Lib", "c99name": "Lib", "type": "library", "path": "Sources/Lib", "sources": ["Lib.swift"], "target_dependencies": []}"#]
        for name in testTargets {
            targets.append(#"{"name": "\#(name)", "c99name": "\#(name)", "type": "test", "path": "Tests/\#(name)", "sources": ["\#(name).swift"], "target_dependencies": ["Lib"]}"#)
        }
        return #"{"name": "Pkg", "targets": [\#(targets.joined(separator: ", "))], "dependencies": [], "products": []}"#
    }
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A shared cache in memory. `garbage` makes it answer every fetch with bytes that are no entry at all,
/// as a broken or malicious server might.
final class FakeSharedCache: SharedCache {
    private let state = Mutex<(entries: [ActionID: [UInt8]], fetched: Int, flushed: Int)>(([:], 0, 0))
    let garbage: Bool

    init(garbage: Bool = false) {
        self.garbage = garbage
    }

    var entries: Int { state.withLock { $0.entries.count } }
    var fetched: Int { state.withLock { $0.fetched } }

    func fetch(_ keys: [ActionID], into store: ResultStore) async {
        for key in keys where store.output(for: key).value == nil {
            let bytes: [UInt8]? = state.withLock { state in
                state.fetched += 1
                return garbage ? Array("not an entry".utf8) : state.entries[key]
            }
            if let bytes { store.put(key, bytes) }
        }
    }

    func upload(_ key: ActionID, _ bytes: [UInt8]) {
        state.withLock { $0.entries[key] = bytes }
    }

    func flush() async {
        state.withLock { $0.flushed += 1 }
    }

    var summary: String { "\(entries) entries" }
}

/// What an engine printed, kept apart by stream.
final class CollectedOutput: Sendable {
    private let streams = Mutex<(stdout: String, stderr: String)>(("", ""))

    var stdout: String { streams.withLock { $0.stdout } }
    var stderr: String { streams.withLock { $0.stderr } }
    /// The summary lines printed.
    var summaries: [String] {
        stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ok  \t") || $0.hasPrefix("FAIL\t") }
    }

    var engineOutput: EngineOutput {
        EngineOutput(
            standardOutput: { text in self.streams.withLock { $0.stdout += text } },
            standardError: { text in self.streams.withLock { $0.stderr += text } })
    }
}
