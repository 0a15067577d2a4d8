import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// `swift test`'s build options, passed to the build and part of every key (Fixtures/Traits).
    @Suite struct BuildOptionTests {
        let fixture: Fixture

        init() throws {
            fixture = try Fixture("Traits")
        }

        /// The tests `--list` shows for TraitTests under these options.
        func listed(_ arguments: String...) throws -> [String] {
            let run = try fixture.run(["--list"] + arguments)
            #expect(run.status == 0, run.transcript)
            return run.lines.filter { $0.hasPrefix("TraitTests.") }
        }

        @Test func aTraitGatedTestRunsWithItsTraitAndEachTraitSetIsCachedApart() throws {
            #expect(try listed() == ["TraitTests.TraitTests/testBase"])
            #expect(try listed("--traits", "Extra") == ["TraitTests.TraitTests/testBase", "TraitTests.TraitTests/testExtra"])
            #expect(try listed("--enable-all-traits") == ["TraitTests.TraitTests/testBase", "TraitTests.TraitTests/testExtra"])

            let without = try fixture.run()
            #expect(without.summaries.count == 1 && isFreshPass(without.summaries[0], "TraitTests"), without.transcript)
            let with = try fixture.run("-x", "--traits", "Extra", "-v")
            #expect(with.summaries.count == 1 && isFreshPass(with.summaries[0], "TraitTests"), with.transcript)
            #expect(with.stdout.contains("Test Case 'TraitTests.testExtra' passed"), with.transcript)
            #expect(with.stderr.contains("--traits Extra"), "the build is given the traits: \(with.transcript)")
            // Each trait set keeps its own result.
            #expect(try fixture.run().summaries == ["ok  \tTraitTests\t(cached)"])
            #expect(try fixture.run("--traits", "Extra", "-v").summaries == ["ok  \tTraitTests\t(cached)"])
            // explain compares with the last result stored from this checkout, Extra's.
            let explained = try fixture.run("TraitTests", "--enable-all-traits", command: "explain")
            #expect(explained.lines.contains("    build option --enable-all-traits changed: not given → true"), explained.transcript)
            #expect(explained.lines.contains("    build option --traits changed: Extra → not given"), explained.transcript)
        }

        @Test func optionsSwiftPMRefusesAreOneLineErrors() throws {
            let run = try fixture.run("--swift-sdk", "no-such-sdk")
            #expect(run.status == 2, run.transcript)
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix("swift-testcache: error: swift build: "), run.transcript)
            let noToolchain = try fixture.run("--toolchain", "/nonexistent/toolchain")
            #expect(noToolchain.status == 2 && noToolchain.stderr == "swift-testcache: error: --toolchain /nonexistent/toolchain holds no usr/bin/swift\n",
                noToolchain.transcript)
            let bad = try fixture.run("--sanitize", "memory")
            #expect(bad.status == 2 && bad.stderr.contains("--sanitize takes address, thread, undefined, scudo, fuzzer"), bad.transcript)
        }
    }

    /// `--sanitize address` with the read tracer preloaded (Fixtures/Sanitizers). The toolchain links the
    /// sanitizers' runtimes into the test binary statically, so a library preloaded before them is
    /// accepted (ASan's link-order check is for its shared runtime). XCTest on Linux leaks a little per
    /// test, which LeakSanitizer reports under `swift test --sanitize address` too: the passing run turns
    /// leak detection off, as a user of XCTest must.
    @Suite struct SanitizerTests {
        let fixture: Fixture

        init() throws {
            fixture = try Fixture("Sanitizers")
        }

        @Test func addressSanitizedRunsPassWithTracingAndReportAHeapOverflow() throws {
            guard isLinux else { return }
            let noLeaks = ["ASAN_OPTIONS": "detect_leaks=0"]
            let first = try fixture.run("--sanitize", "address", environment: noLeaks)
            #expect(first.status == 1, first.transcript)
            #expect(first.summaries.count == 2 && isFreshPass(first.summaries[0], "SafeTests"), first.transcript)
            #expect(isFailure(first.summaries[1], "OverflowTests"), first.transcript)
            #expect(first.stdout.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), first.transcript)
            let again = try fixture.run("--sanitize", "address", "-x", environment: noLeaks)
            #expect(again.summaries.first == "ok  \tSafeTests\t(cached)", again.transcript)
            // The runtime reads its options where the tracer cannot see: they are keyed for sanitized builds.
            let leaks = try fixture.run("--sanitize", "address", "SafeTests", environment: ["ASAN_OPTIONS": "detect_leaks=1"])
            #expect(leaks.summaries.count == 1 && isFailure(leaks.summaries[0], "SafeTests"), "never a cached ok: \(leaks.transcript)")
            #expect(leaks.stdout.contains("LeakSanitizer"), leaks.transcript)
            // Unsanitized, the same tests are other results: nothing is replayed across.
            let plain = try fixture.run("SafeTests", environment: noLeaks)
            #expect(plain.summaries.count == 1 && isFreshPass(plain.summaries[0], "SafeTests"), plain.transcript)
        }
    }

    /// `--enable-code-coverage` (Fixtures/Coverage): each target's share of the library's lines, replayed
    /// with its result, and the run's merged lcov file, read by Debian's lcov and checked against
    /// llvm-cov's own report of the same tests.
    @Suite struct CoverageTests {
        let fixture: Fixture

        init() throws {
            fixture = try Fixture("Coverage")
        }

        @Test func eachTargetsCoverageIsPrintedReplayedAndMerged() throws {
            let first = try fixture.run("--enable-code-coverage")
            #expect(first.status == 0, first.transcript)
            let shapes = try Regex(#"ok  \tSquareTests\t[0-9]+\.[0-9]{3}s\tcoverage: 66\.7% of lines"#)
            #expect(first.summaries.count == 2 && first.summaries[0].wholeMatch(of: shapes) != nil, first.transcript)
            #expect(first.summaries.last?.hasSuffix("\tcoverage: 25.0% of lines") == true, first.transcript)

            let report = fixture.temporary.path + "/coverage.info"
            let cached = try fixture.run("--enable-code-coverage", "--coverage-output", report)
            #expect(cached.summaries == [
                "ok  \tSquareTests\t(cached)\tcoverage: 66.7% of lines", "ok  \tCircleTests\t(cached)\tcoverage: 25.0% of lines",
            ], cached.transcript)
            let summary = try runProgram("/usr/bin/env", ["lcov", "--summary", report])
            #expect(summary.stdout.contains("lines......: 91.7% (11 of 12 lines)") || summary.stderr.contains("lines......: 91.7% (11 of 12 lines)"),
                "\(summary.stdout)\(summary.stderr)")

            // llvm-cov's report of the same two targets' runs, made without swift-testcache.
            let bin = try runProgram("/bin/sh", ["-c", "dirname \"$(readlink -f \"$(command -v swift)\")\""]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let binary = fixture.root + "/.build/debug/CoveragePackageTests.xctest"
            let profiles = fixture.temporary.path + "/profiles"
            let environment = ["LLVM_PROFILE_FILE": profiles + "/%p.profraw"]
            _ = try runProgram(binary, ["SquareTests.SquareTests"], environment: environment)
            _ = try runProgram(binary, ["--testing-library", "swift-testing", "--filter", "^CircleTests\\."], environment: environment)
            let raws = try FileManager.default.contentsOfDirectory(atPath: profiles).map { profiles + "/" + $0 }
            let merged = fixture.temporary.path + "/all.profdata"
            #expect(try runProgram(bin + "/llvm-profdata", ["merge", "-sparse"] + raws + ["-o", merged]).status == 0)
            let llvmReport = try runProgram(bin + "/llvm-cov", ["report", "-instr-profile", merged, binary, fixture.root + "/Sources/Shapes"])
            let total = try #require(llvmReport.stdout.split(separator: "\n").first { $0.hasPrefix("TOTAL") })
            let columns = total.split(separator: " ")
            // TOTAL regions missed cover functions missed executed lines missed cover …
            #expect(columns[7] == "12" && columns[8] == "1" && columns[9] == "91.67%", "\(llvmReport.stdout)")
            // TOTAL … functions missed executed
            let functions = (Int(columns[4]) ?? -1, Int(columns[5]) ?? -1)

            // The same as llvm-cov's JSON export: its line and function totals are llvm-cov's.
            let json = fixture.temporary.path + "/coverage.json"
            let exported = try fixture.run("--enable-code-coverage", "--coverage-output", json)
            #expect(exported.status == 0, exported.transcript)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
            #expect(object?["type"] as? String == "llvm.coverage.json.export", "\(String(describing: object))")
            let data = (object?["data"] as? [[String: Any]])?.first
            let totals = data?["totals"] as? [String: Any]
            let lines = totals?["lines"] as? [String: Any]
            #expect(lines?["count"] as? Int == 12 && lines?["covered"] as? Int == 11, "\(String(describing: totals))")
            let exportedFunctions = totals?["functions"] as? [String: Any]
            #expect(exportedFunctions?["count"] as? Int == functions.0 && (exportedFunctions?["count"] as? Int ?? 0) - (exportedFunctions?["covered"] as? Int ?? 0) == functions.1,
                "llvm-cov: \(functions); ours: \(String(describing: exportedFunctions))")
            let files = data?["files"] as? [[String: Any]] ?? []
            #expect(files.map { $0["filename"] as? String } == ["Sources/Shapes/Shapes.swift"], "\(files)")
        }
    }
}

extension IntegrationTests {
    /// What the run takes from the toolchain and what it survives of it, with a toolchain whose `swift`
    /// wraps the real one: its `swift build --help` names Swift Build as the default, and its builds and
    /// `swift package` crash as Swift Build 6.3.1 was seen to now and then, as many times as a file says.
    @Suite struct ToolchainTests {
        @Test func theToolchainsDefaultBuildSystemIsFollowedAndACrashedBuildIsRetriedUpToItsBound() throws {
            let fixture = try Fixture("TestCache")
            let real = try #require(
                (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { $0 + "/swift" }
                    .first { FileManager.default.isExecutableFile(atPath: $0) })
            let toolchain = fixture.temporary.path + "/toolchain"
            try FileManager.default.createDirectory(atPath: toolchain + "/usr/bin", withIntermediateDirectories: true)
            let swift = toolchain + "/usr/bin/swift"
            // `<toolchain>/build-crashes` and `package-crashes` hold how many more runs of each crash.
            try Data("""
                #!/bin/sh
                if [ "$1" = build ] && [ "$2" = --help ]; then
                    "\(real)" build --help | sed 's/(default: native)/(default: swiftbuild)/'
                    exit 0
                fi
                case "$1 $2" in
                    "build --build-tests") counter="\(toolchain)/build-crashes" ;;
                    package*) counter="\(toolchain)/package-crashes" ;;
                    *) counter=/nonexistent ;;
                esac
                left=$(cat "$counter" 2>/dev/null || echo 0)
                if [ "$left" -gt 0 ]; then
                    echo $((left - 1)) > "$counter"
                    echo "Pre-planning 1 / 299"
                    echo "*** Program crashed: Bad pointer dereference at 0x000000000000000$left (injected by the test) ***"
                    exit 139
                fi
                exec "\(real)" "$@"

                """.utf8).write(to: URL(fileURLWithPath: swift))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: swift)
            func crash(_ command: String, times: Int) throws {
                try Data("\(times)\n".utf8).write(to: URL(fileURLWithPath: "\(toolchain)/\(command)-crashes"))
            }
            /// The notes of the crashes this test injected; the real Swift Build also crashes now and then
            /// (CI saw one on the last attempt of a bound the test had used up), and those are retried too.
            func notes(_ result: ProcessResult) -> [String] {
                result.stderr.split(separator: "\n").map(String.init).filter { $0.contains(" crashed (") && $0.contains("(injected by the test)") }
            }
            let bound = 6
            // Crashes injected before a build must succeed: fewer than the bound, so that a real crash or
            // two on top still leave an attempt; the bound itself is reached by the failing step below.
            let injected = 3

            // Crashes short of the bound: each crash is noted, and the build that follows is used.
            try crash("build", times: injected)
            try crash("package", times: 1)
            var result = try fixture.run("-x", "--toolchain", toolchain)
            #expect(result.status == 0, result.transcript)
            #expect(notes(result) == ["swift-testcache: swift package crashed (Bad pointer dereference at 0x0000000000000001 (injected by the test)); running it again (attempt 2 of \(bound))"]
                + (2...injected + 1).map { "swift-testcache: swift build crashed (Bad pointer dereference at 0x000000000000000\(injected + 2 - $0) (injected by the test)); running it again (attempt \($0) of \(bound))" },
                result.transcript)
            #expect(result.stderr.contains("--build-system swiftbuild"), result.transcript)
            #expect(result.stderr.contains("T2Tests-test-runner"), "each target runs from its own runner: \(result.transcript)")
            #expect(result.summaries.count == 4 && result.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, result.transcript)

            // Naming the default is the same key.
            result = try fixture.run("-x", "--toolchain", toolchain, "--build-system", "swiftbuild")
            #expect(result.summaries.count == 4 && result.summaries.allSatisfy { $0.hasSuffix("(cached)") } && !result.ranBuild,
                result.transcript)
            // The other build system is another key: explain names it.
            let explained = try fixture.run("T1Tests", "--toolchain", toolchain, "--build-system", "native", command: "explain")
            #expect(explained.lines.contains("    build option --build-system changed: swiftbuild → native"), explained.transcript)

            // A build that crashes on every attempt is a failed build, and its last crash is shown.
            try crash("build", times: bound)
            result = try fixture.run("--toolchain", toolchain, "--count", "1", "T1Tests")
            #expect(result.status == 1, result.transcript)
            #expect(result.summaries == ["FAIL\tT1Tests [build failed]"], result.transcript)
            #expect(notes(result).count == bound && notes(result).last == "swift-testcache: swift build crashed (Bad pointer dereference at 0x0000000000000001 (injected by the test)) on each of \(bound) attempts; giving up",
                result.transcript)
            #expect(result.stderr.contains("*** Program crashed: Bad pointer dereference at 0x0000000000000001"), result.transcript)
            // The next build that does not crash is used.
            result = try fixture.run("--toolchain", toolchain, "--count", "1", "T1Tests")
            #expect(result.status == 0 && notes(result).isEmpty && result.summaries.count == 1 && isFreshPass(result.summaries[0], "T1Tests"),
                result.transcript)
        }
    }
}
