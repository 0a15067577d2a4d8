import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Run-time behaviours on one build of Fixtures/Behaviours; each test has a store of its own.
    @Suite struct Behaviours {
        /// Built once for the whole suite: every test below reuses its `.build`.
        static let fixture = Result { try Fixture("Behaviours") }

        let fixture: Fixture
        let store: TemporaryDirectory

        init() throws {
            fixture = try Self.fixture.get()
            store = try TemporaryDirectory()
        }

        func run(_ arguments: String..., environment: [String: String] = [:]) throws -> ProcessResult {
            try runTool(["--package-path", fixture.root] + arguments, store: store.path, environment: environment)
        }

        @Test func filtersSelectTestsOfBothLibraries() throws {
            let result = try run("FilterTests", "--filter", "Two", "-v")
            #expect(result.status == 0, result.transcript)
            #expect(result.stdout.contains("alpha two ran") && result.stdout.contains("beta two ran"), result.transcript)
            #expect(!result.stdout.contains("alpha one ran") && !result.stdout.contains("beta one ran"), result.transcript)
            #expect(isFreshPass(result.summaries.first ?? "", "FilterTests"), result.transcript)
        }

        @Test func skipsAndListing() throws {
            let result = try run("FilterTests", "--skip", "beta|One", "--list")
            #expect(result.status == 0, result.transcript)
            #expect(result.lines.dropLast() == ["FilterTests.AlphaTests/testAlphaTwo"], result.transcript)
        }

        @Test func aFilterThatMatchesNothingHasNoTestsToRun() throws {
            let result = try run("FilterTests", "--filter", "NoSuchTest")
            #expect(result.status == 0, result.transcript)
            #expect(result.lines.count == 1, result.transcript)
            #expect(result.lines.first?.wholeMatch(of: /ok  \tFilterTests\t[0-9.]+s \[no tests to run\]/) != nil, result.transcript)
        }

        @Test func aTargetWithoutTestsHasNoTestFiles() throws {
            let result = try run("NoTests", "ResourceTests")
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.first == "?   \tNoTests\t[no test files]", result.transcript)
            #expect(isFreshPass(result.summaries.last ?? "", "ResourceTests"), result.transcript)
        }

        @Test func exitTestsRelaunchingTheBinaryPassAndAreCached() throws {
            let first = try run("ExitTests")
            #expect(first.status == 0, first.transcript)
            #expect(isFreshPass(first.summaries.first ?? "", "ExitTests"), first.transcript)
            #expect(try run("ExitTests").lines == ["ok  \tExitTests\t(cached)"])
        }

        /// A result is not filed under an action ID whose sources changed while the package was built or
        /// tested: put back, those sources would otherwise replay a result no build of them produced.
        @Test func aSourceEditedDuringTheRunDoesNotKeyTheResult() throws {
            let notes = fixture.root + "/Tests/SelfEditTests/notes.txt"
            try Data("original\n".utf8).write(to: URL(fileURLWithPath: notes))
            let first = try run("SelfEditTests", environment: ["SWIFT_TESTCACHE_DEBUG": "test"])
            #expect(first.status == 0, first.transcript)
            #expect(first.stderr.contains("testcache: SelfEditTests: inputs changed during the run: not stored under action ID"), first.transcript)

            // The sources as they were when the run began: no stored result may be taken on their action
            // ID alone, so the package is built; what was built is unchanged, so the content ID replays it.
            try Data("original\n".utf8).write(to: URL(fileURLWithPath: notes))
            let second = try run("SelfEditTests", "-x")
            #expect(second.ranBuild, second.transcript)
            #expect(second.lines == ["ok  \tSelfEditTests\t(cached)"], second.transcript)
        }

        @Test func passingResultsAreReplayedExactlyWithVerbose() throws {
            let first = try run("FilterTests", "-v")
            let second = try run("FilterTests", "-v")
            #expect(second.status == 0, second.transcript)
            #expect(second.summaries == ["ok  \tFilterTests\t(cached)"], second.transcript)
            // The output above the line is the stored output, byte for byte.
            #expect(first.lines.dropLast() == second.lines.dropLast(), second.transcript)
            #expect(second.stdout.contains("beta one ran"), second.transcript)
        }

        @Test func countNoCacheAndExecRunWithoutTheCache() throws {
            _ = try run("FilterTests")
            #expect(try run("FilterTests").summaries == ["ok  \tFilterTests\t(cached)"])
            for arguments in [["--count", "1"], ["--no-cache"], ["--exec", "env"]] {
                var all = ["FilterTests"]
                all += arguments
                let result = try runTool(["--package-path", fixture.root] + all, store: store.path)
                #expect(result.status == 0, result.transcript)
                #expect(isFreshPass(result.summaries.first ?? "", "FilterTests"), "\(arguments): \(result.transcript)")
            }
            // Runs without the cache stored nothing new, and left the stored result alone.
            #expect(try run("FilterTests").summaries == ["ok  \tFilterTests\t(cached)"])
        }

        @Test func theDebugSwitchSaysWhyATargetWasOrWasNotCached() throws {
            let miss = try run("FilterTests", environment: ["SWIFT_TESTCACHE_DEBUG": "test"])
            #expect(miss.stderr.contains("testcache: FilterTests: miss on action ID "), miss.transcript)
            let hit = try run("FilterTests", environment: ["SWIFT_TESTCACHE_DEBUG": "test"])
            #expect(hit.stderr.contains("testcache: FilterTests: hit on action ID "), hit.transcript)
            let off = try run("FilterTests", "--count", "1", environment: ["SWIFT_TESTCACHE_DEBUG": "test"])
            #expect(off.stderr.contains("testcache: FilterTests: not cached: --count"), off.transcript)
        }

        /// Files unchanged since they were last hashed are not read again, also across runs of different targets.
        @Test func unchangedFilesAreNotReadAgain() throws {
            _ = try run("NoTests")
            // Files changed in the last two seconds are hashed but not remembered (the racy window):
            // let the fixture's files, copied moments ago when this test runs first, settle.
            Thread.sleep(forTimeInterval: 2.5)
            _ = try run("NoTests")
            _ = try run("FilterTests")
            let again = try run("NoTests", environment: ["SWIFT_TESTCACHE_DEBUG": "test"])
            #expect(again.stderr.contains("testcache: read 0 of "), again.transcript)
        }

        @Test func aTestPastItsTimeoutIsKilledAndFails() throws {
            let result = try run("SlowTests", "--timeout", "1s")
            #expect(result.status == 1, result.transcript)
            #expect(result.stdout.contains("going to sleep\n"), result.transcript)
            #expect(result.stdout.contains("*** Test killed: ran too long (1s).\n"), result.transcript)
            #expect(isFailure(result.summaries.first ?? "", "SlowTests"), result.transcript)
        }

        /// On a terminal, a one-line status of the running targets, erased before each summary line;
        /// not a byte of it when stderr is not a terminal.
        @Test func progressIsShownOnlyOnATerminal() throws {
            let tool = try builtExecutable("swift-testcache")
            let command = [tool, "--package-path", fixture.root, "--timeout", "3s", "SlowTests"]
                .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            let environment = toolEnvironment(store: store.path, ["SHELL": "/bin/sh"])
            // script(1) runs the command on a pseudo-terminal and copies what it shows to stdout.
            let onTerminal = try runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment)
            #expect(onTerminal.stdout.contains("\r\u{1B}[Krunning SlowTests 2s"), onTerminal.transcript)
            // Erased before the failing target's output and line, and not drawn again after.
            let afterLastErase = onTerminal.stdout.components(separatedBy: "\u{1B}[K").last ?? ""
            #expect(afterLastErase.hasPrefix("Test Suite 'Selected tests' started"), onTerminal.transcript)
            #expect(afterLastErase.contains("FAIL\tSlowTests\t") && !afterLastErase.contains("running"), onTerminal.transcript)

            let piped = try run("--timeout", "1s", "SlowTests")
            #expect(!piped.stderr.contains("\u{1B}"), piped.transcript)
            #expect(!piped.stdout.contains("\u{1B}"), piped.transcript)
        }

        /// A test that ignores SIGTERM is killed with SIGKILL five seconds later.
        @Test func aTestIgnoringSIGTERMIsKilled() throws {
            let result = try run("StubbornTests", "--timeout", "1s")
            #expect(result.status == 1, result.transcript)
            #expect(result.stdout.contains("ignoring SIGTERM\n"), result.transcript)
            #expect(result.stdout.contains("*** Test killed: ran too long (1s).\n"), result.transcript)
            #expect(isFailure(result.summaries.first ?? "", "StubbornTests"), result.transcript)
            // The line's time is the test process's: one second to the timeout, five of grace, and well
            // short of the test's own minute.
            let seconds = result.summaries.first?.split(separator: "\t").last.flatMap { Double($0.dropLast()) } ?? 0
            #expect(seconds >= 6 && seconds < 30, result.transcript)
        }

        @Test func aCrashingTestFailsAndSaysHow() throws {
            let result = try run("CrashTests")
            #expect(result.status == 1, result.transcript)
            #expect(result.stdout.contains("about to crash"), result.transcript)
            #expect(result.stdout.contains("*** Test binary terminated by signal 6 (SIGABRT)."), result.transcript)
            #expect(isFailure(result.summaries.first ?? "", "CrashTests"), result.transcript)
            // A failure is never stored: the next run crashes again.
            #expect(isFailure(try run("CrashTests").summaries.first ?? "", "CrashTests"))
        }
    }

    /// Bad input: a clear one-line error, exit status 2, and no harm to the store.
    @Suite struct BadInput {
        @Test func notAPackage() throws {
            let directory = try TemporaryDirectory()
            let result = try runTool(["--package-path", directory.path], store: directory.path + "/store")
            #expect(result.status == 2, result.transcript)
            #expect(result.stderr == "swift-testcache: error: \(directory.path) is not a SwiftPM package: it has no Package.swift\n", result.transcript)
        }

        @Test func aManifestThatDoesNotCompile() throws {
            let directory = try TemporaryDirectory()
            try Data("// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: 42)\n".utf8)
                .write(to: URL(fileURLWithPath: directory.path + "/Package.swift"))
            let result = try runTool(["--package-path", directory.path], store: directory.path + "/store")
            #expect(result.status == 2, result.transcript)
            #expect(result.stderr.hasSuffix("swift-testcache: error: cannot load the package at \(directory.path): its manifest did not evaluate\n"), result.transcript)
            #expect(result.stderr.contains("Package.swift:3:"), "the manifest's diagnostics are shown: \(result.transcript)")
        }

        @Test func aPackageWithoutTestTargetsSaysSo() throws {
            let directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path + "/Sources/A", withIntermediateDirectories: true)
            try Data("// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: \"Plain\", targets: [.target(name: \"A\")])\n".utf8)
                .write(to: URL(fileURLWithPath: directory.path + "/Package.swift"))
            try Data("public let a = 1\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/Sources/A/A.swift"))
            let result = try runTool(["--package-path", directory.path], store: directory.path + "/store")
            #expect(result.status == 0, result.transcript)
            #expect(result.stdout == "", result.transcript)
            #expect(result.stderr == "swift-testcache: package Plain has no test targets\n", result.transcript)
        }

        @Test func anUnknownTargetListsTheTestTargets() throws {
            let fixture = try Fixture("TestCache")
            let result = try fixture.run("T9Tests")
            #expect(result.status == 2, result.transcript)
            #expect(result.stderr == "swift-testcache: error: no test target named 'T9Tests' in package TestCache; its test targets are: T1Tests, T2Tests, T3Tests, T4Tests\n", result.transcript)
        }

        @Test func aRegexThatDoesNotParse() throws {
            let fixture = try Fixture("TestCache")
            let result = try fixture.run("--filter", "(unclosed")
            #expect(result.status == 2, result.transcript)
            #expect(result.stderr.hasPrefix("swift-testcache: error: --filter '(unclosed' is not a valid regular expression"), result.transcript)
            #expect(result.stderr.split(separator: "\n").count == 1, result.transcript)
        }

        @Test(arguments: [["--bogus"], ["--jobs", "0"], ["--timeout", "soon"], ["--count", "0"]])
        func badOptions(_ arguments: [String]) throws {
            let fixture = try Fixture("TestCache")
            let result = try runTool(["--package-path", fixture.root] + arguments, store: fixture.store)
            #expect(result.status == 2, result.transcript)
            #expect(result.stderr.hasPrefix("swift-testcache: error: "), result.transcript)
            #expect(result.stderr.split(separator: "\n").count == 1, result.transcript)
        }
    }
}
