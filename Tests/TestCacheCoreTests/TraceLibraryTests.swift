import Foundation
import Testing
import _TestSupport
import TestCacheStore

/// The read tracer (libTestCacheTrace.so) preloaded into testcache-reader, which reads the ways tests do.
@Suite(.enabled(if: isLinux, "the read tracer is an LD_PRELOAD library")) struct TraceLibraryTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/Fixtures/set", withIntermediateDirectories: true)
        for name in ["expected.json", "set/a.txt", "set/b.txt", "other.txt"] {
            try Data("content of \(name)\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/Fixtures/" + name))
        }
    }

    /// Runs testcache-reader with the tracer and gives its output and the log's lines.
    func traced(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (output: String, log: [String]) {
        let log = directory.path + "/trace.log"
        try? FileManager.default.removeItem(atPath: log)
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        environment["LD_PRELOAD"] = try builtProduct("libTestCacheTrace.so")
        environment["SWIFT_TESTCACHE_TRACE_LOG"] = log
        let result = try runExecutable("testcache-reader", arguments, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (result.stdout, text.split(separator: "\n").map(String.init))
    }

    @Test func theTracerReadsTheLogVariableTheEngineSets() throws {
        // trace.c is C and spells the name itself: this holds it to the one Swift definition.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TestCacheTrace/trace.c")
        let text = try String(contentsOf: source, encoding: .utf8)
        #expect(text.contains("realGetenv(\"\(EnvironmentVariable.traceLog)\")"))
    }

    @Test func foundationFileReadsAreRecordedAsReadsWithAbsolutePaths() throws {
        let fixtures = directory.path + "/Fixtures"
        let (output, log) = try traced([
            "file", fixtures + "/expected.json", "data", fixtures + "/set/a.txt", "manager", fixtures + "/set/b.txt",
        ])
        #expect(output == "file 25\ndata 21\nmanager 21\n")
        for path in ["/expected.json", "/set/a.txt", "/set/b.txt"] {
            #expect(log.contains("r " + fixtures + path), "\(path) not in \(log.filter { $0.contains("Fixtures") })")
        }
        #expect(!log.contains("r " + fixtures + "/other.txt"))
    }

    @Test func relativePathsAreMadeAbsoluteAgainstTheWorkingDirectory() throws {
        let reader = try builtExecutable("testcache-reader")
        let log = directory.path + "/trace.log"
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = try builtProduct("libTestCacheTrace.so")
        environment["SWIFT_TESTCACHE_TRACE_LOG"] = log
        // sh changes directory, then runs the reader with a relative path.
        let result = try runProgram(
            "/bin/sh", ["-c", "cd \"$1\" && exec \"$2\" file set/a.txt", "sh", directory.path + "/Fixtures", reader],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("r \(directory.path)/Fixtures/set/a.txt"))
    }

    @Test func existenceChecksListingsWritesAndVariablesAreRecorded() throws {
        let fixtures = directory.path + "/Fixtures"
        let (output, log) = try traced(
            ["exists", fixtures + "/missing.txt", "list", fixtures + "/set", "write", fixtures + "/made.txt",
             "getenv", "STC_PROBE_VARIABLE"],
            environment: ["STC_PROBE_VARIABLE": "seven"])
        #expect(output == "exists false\nlist 2\nwrite true\ngetenv seven\n")
        #expect(log.contains("s " + fixtures + "/missing.txt"))
        #expect(log.contains("d " + fixtures + "/set"))
        #expect(log.contains("w " + fixtures + "/made.txt"))
        #expect(!log.contains("r " + fixtures + "/made.txt"))
        #expect(log.contains("e STC_PROBE_VARIABLE"))
    }

    @Test func readingProcessInfoEnvironmentIsRecordedAsTheWholeEnvironment() throws {
        let (output, log) = try traced(["environment", "STC_PROBE_VARIABLE", "environment", "HOME"],
            environment: ["STC_PROBE_VARIABLE": "eight"])
        #expect(output.hasPrefix("environment eight\nenvironment /"))
        #expect(log.filter { $0 == "E *" }.count == 1, "once per process: \(log.filter { $0.hasPrefix("E") })")
        #expect(!log.contains("e STC_PROBE_VARIABLE"), "ProcessInfo reads environ, not getenv")
    }

    @Test func childProcessesAreTracedAndTheirProgramsRecorded() throws {
        let fixtures = directory.path + "/Fixtures"
        let (output, log) = try traced(["run", "/bin/cat", fixtures + "/other.txt"])
        #expect(output.hasSuffix("run 0\n"))
        #expect(log.contains("x /bin/cat"))
        #expect(log.contains("r " + fixtures + "/other.txt"), "cat's own read, from the inherited tracer")
    }

    @Test func withoutALogNothingIsWrittenAndCallsStillWork() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = try builtProduct("libTestCacheTrace.so")
        environment["SWIFT_TESTCACHE_TRACE_LOG"] = nil
        let result = try runExecutable(
            "testcache-reader", ["file", directory.path + "/Fixtures/expected.json", "getenv", "HOME"],
            environment: environment)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("file 25\ngetenv /"))
    }
}
