import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// The machine-readable reports on Fixtures/Reports (XCTest and Swift Testing; passing, failing,
    /// skipped, flaky and cached targets), each read by the tool CI systems read it with: gotestsum for
    /// the test2json stream, junitparser (PyPI) for JUnit XML, and GitHub's workflow-command syntax.
    @Suite struct ReportTests {
        static let targets = ["PassingTests", "FailingTests", "FlakyTests", "SlowTests"]
        /// One copy of the package for the suite, built by the first test that runs the tool, for CI's 15
        /// minutes (each build of it takes about 11 seconds).
        static let built = Result { try Fixture("Reports") }
        let fixture: Fixture

        /// The shared copy with a store and a scratch directory of this test's own, and without what the
        /// fixture's tests and an earlier test left in it: FlakyTests's marker (it fails when the marker is absent),
        /// SlowTests's switch, the settings file.
        init() throws {
            fixture = try Fixture(sharing: Self.built.get())
            try fixture.reset([".build/flaky-marker", ".build/slow", ".swift-testcache.json"])
        }

        /// Each line of a test2json stream as a dictionary.
        func events(_ stdout: String) throws -> [[String: Any]] {
            try stdout.split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            }
        }

        /// Runs a program found on PATH.
        func tool(_ name: String, _ arguments: [String]) throws -> ProcessResult {
            try runProgram("/usr/bin/env", [name] + arguments)
        }

        /// What junitparser reads from a JUnit file: per suite its counts, cached property and cases.
        func junit(_ path: String) throws -> [String: Any] {
            let script = """
                import json, sys, junitparser
                xml = junitparser.JUnitXml.fromfile(sys.argv[1])
                suites = {}
                for suite in xml:
                    props = {p.name: p.value for p in suite.properties()}
                    cases = {}
                    for case in suite:
                        results = [{"kind": type(r).__name__, "message": r.message} for r in case.result]
                        cases[case.classname + "/" + case.name] = {"results": results, "line": case._elem.get("line"), "file": case._elem.get("file")}
                    suites[suite.name] = {"tests": suite.tests, "failures": suite.failures, "skipped": suite.skipped,
                        "errors": suite.errors, "cached": props.get("swift-testcache.cached"), "cases": cases}
                print(json.dumps(suites))
                """
            let result = try tool("python3", ["-c", script, path])
            #expect(result.status == 0, "junitparser: \(result.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }

        @Test func jsonJUnitAndGitHubReportsAreReadByTheirReaders() throws {
            // A test that fails once and passes on a retry is FLAKY: the run passes, nothing is stored.
            let flaky = try fixture.run("FlakyTests", "--retries", "1")
            #expect(flaky.status == 0, flaky.transcript)
            #expect(flaky.summaries.count == 1 && flaky.summaries[0].hasPrefix("FLAKY\tFlakyTests\t"), flaky.transcript)
            #expect(flaky.stdout.contains("*** Retry 1 of 1: running 1 failed test again."), flaky.transcript)
            let again = try fixture.run("FlakyTests")
            #expect(again.summaries.count == 1 && isFreshPass(again.summaries[0], "FlakyTests"), "a flaky pass is not cached: \(again.transcript)")

            // The first whole run: the stream parses line by line, a target's events together, in order.
            let junitPath = fixture.temporary.path + "/junit.xml"
            let first = try fixture.run("--json", "--junit-xml", junitPath)
            #expect(first.status == 1, first.transcript)
            let stream = try events(first.stdout)
            for event in stream {
                #expect(event["Time"] is String && event["Action"] is String && event["Package"] is String, "\(event)")
            }
            var order: [String] = []
            for event in stream where event["Action"] as? String == "start" { order.append(event["Package"] as? String ?? "") }
            #expect(order == Self.targets)
            let packages = stream.map { $0["Package"] as? String ?? "" }
            #expect(packages == packages.sorted { Self.targets.firstIndex(of: $0)! < Self.targets.firstIndex(of: $1)! }, "each target's events together")
            #expect(stream.contains { $0["Action"] as? String == "fail" && $0["Test"] as? String == "FailingTests.FailingCase/testWrongAnswer" })
            #expect(stream.contains { $0["Action"] as? String == "fail" && $0["Test"] as? String == "FailingTests.expectsTheWrongAnswer()" })
            #expect(stream.contains { $0["Action"] as? String == "skip" && $0["Test"] as? String == "PassingTests.PassingSuite/switchedOff()" })

            // gotestsum renders it: every target, and the failing tests with their output.
            let firstFile = fixture.temporary.path + "/first.json"
            try Data(first.stdout.utf8).write(to: URL(fileURLWithPath: firstFile))
            let rendered = try tool("gotestsum", ["--raw-command", "--", "cat", firstFile])
            #expect(rendered.stdout.contains("✖  FailingTests"), "\(rendered.stdout)\(rendered.stderr)")
            #expect(rendered.stdout.contains("✓  PassingTests"), "\(rendered.stdout)")
            #expect(rendered.stdout.contains("=== FAIL: FailingTests FailingTests.FailingCase/testWrongAnswer"), "\(rendered.stdout)")
            #expect(rendered.stdout.contains("XCTAssertEqual failed: (\"42\") is not equal to (\"41\")"), "\(rendered.stdout)")
            #expect(rendered.stdout.contains("Expectation failed: (answer() → 42) == 43"), "\(rendered.stdout)")

            // junitparser reads the JUnit file: counts, names, failure messages and lines.
            let report = try junit(junitPath)
            let failing = try #require(report["FailingTests"] as? [String: Any])
            #expect(failing["tests"] as? Int == 3 && failing["failures"] as? Int == 2 && failing["errors"] as? Int == 0)
            let cases = try #require(failing["cases"] as? [String: [String: Any]])
            let wrong = try #require(cases["FailingTests.FailingCase/testWrongAnswer"])
            #expect(wrong["line"] as? String == "11" && wrong["file"] as? String == "Tests/FailingTests/FailingTests.swift", "\(wrong)")
            let results = try #require(wrong["results"] as? [[String: Any]])
            #expect(results.first?["kind"] as? String == "Failure")
            #expect(results.first?["message"] as? String
                == "XCTAssertEqual failed: (\"42\") is not equal to (\"41\") - markup <&> and ]]> and a \\x01 control character")
            let swiftTesting = try #require(cases["FailingTests/expectsTheWrongAnswer()"])
            #expect(swiftTesting["line"] as? String == "16", "\(swiftTesting)")
            let passing = try #require(report["PassingTests"] as? [String: Any])
            #expect(passing["tests"] as? Int == 4 && passing["skipped"] as? Int == 2 && passing["cached"] as? String == "false")

            // The second run replays the passing targets: `(cached)` in the stream, gotestsum and JUnit.
            let second = try fixture.run("--json", "--junit-xml", junitPath)
            let replayed = try events(second.stdout)
            #expect(replayed.contains { $0["Package"] as? String == "PassingTests" && $0["Output"] as? String == "ok  \tPassingTests\t(cached)\n" })
            #expect(replayed.contains { $0["Action"] as? String == "pass" && $0["Test"] as? String == "PassingTests.PassingCase/testAnswer" },
                "a cached target replays its tests")
            let secondFile = fixture.temporary.path + "/second.json"
            try Data(second.stdout.utf8).write(to: URL(fileURLWithPath: secondFile))
            let renderedAgain = try tool("gotestsum", ["--raw-command", "--", "cat", secondFile])
            #expect(renderedAgain.stdout.contains("✓  PassingTests (cached)"), "\(renderedAgain.stdout)")
            #expect(renderedAgain.stdout.contains("✖  FailingTests"), "\(renderedAgain.stdout)")
            // The time saved is what the replayed targets and tests took when they were stored: the first
            // run's times of the targets replayed whole, and of the tests replayed one by one.
            let totals = try #require(replayed.last?["TestCache"] as? [String: Any], "the last event carries the totals")
            var firstElapsed = Dictionary(stream.compactMap { event -> (String, Double)? in
                guard let elapsed = event["Elapsed"] as? Double, ["pass", "skip"].contains(event["Action"] as? String) else { return nil }
                return ((event["Test"] as? String) ?? "target " + (event["Package"] as? String ?? ""), elapsed)
            }, uniquingKeysWith: { first, _ in first })
            // FlakyTests was stored by `again`, before the first whole run replayed it: its time is that line's.
            firstElapsed["target FlakyTests"] = try #require(Double(again.summaries[0].split(separator: "\t")[2].dropLast()))
            var stored = 0.0
            var replayedTests = 0
            for event in replayed {
                let output = event["Output"] as? String ?? ""
                if let package = event["Package"] as? String, event["Test"] == nil, output == "ok  \t\(package)\t(cached)\n" {
                    stored += try #require(firstElapsed["target " + package], "\(package) ran in the first run")
                } else if let test = event["Test"] as? String, output.hasPrefix("--- PASS: "), output.hasSuffix(" (cached)\n"),
                    !replayed.contains(where: { $0["Package"] as? String == event["Package"] as? String && ($0["Output"] as? String ?? "").hasSuffix("\t(cached)\n") })
                {
                    stored += try #require(firstElapsed[test], "\(test) ran in the first run")
                    replayedTests += 1
                }
            }
            #expect(replayedTests == 1, "FailingTests.FailingCase/testPasses is replayed alone: \(second.stdout)")
            // To the millisecond: a summary line shows FlakyTests' stored time so.
            #expect(abs((totals["Saved"] as? Double ?? -1) - stored) < 1e-3, "saved \(totals), stored \(stored)")
            #expect(totals["TargetsCached"] as? Int == 3 && totals["TestsRan"] as? Int == 2, "\(totals)")
            let cachedReport = try junit(junitPath)
            let cachedPassing = try #require(cachedReport["PassingTests"] as? [String: Any])
            #expect(cachedPassing["cached"] as? String == "true" && cachedPassing["tests"] as? Int == 4)

            // Under GitHub Actions: an annotation per failed test and a table in the step summary.
            let summaryPath = fixture.temporary.path + "/step-summary.md"
            let workspace = URL(fileURLWithPath: fixture.root).deletingLastPathComponent().path
            let github = try fixture.run(environment: [
                "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "GITHUB_STEP_SUMMARY": summaryPath,
            ])
            let annotations = github.lines.filter { $0.hasPrefix("::") }
            #expect(annotations == [
                "::error file=Reports/Tests/FailingTests/FailingTests.swift,line=11,title=FailingTests%3A FailingTests.FailingCase/testWrongAnswer"
                    + "::XCTAssertEqual failed: (\"42\") is not equal to (\"41\") - markup <&> and ]]> and a \u{1} control character",
                "::error file=Reports/Tests/FailingTests/FailingTests.swift,line=16,title=FailingTests%3A FailingTests.expectsTheWrongAnswer()"
                    + "::Expectation failed: (answer() → 42) == 43%0Aoff by one",
            ], github.transcript)
            let summary = try String(contentsOfFile: summaryPath, encoding: .utf8)
            let expected = try Regex(#"""
                ### swift-testcache

                \| Target \| Result \| Tests \| Time \|
                \| --- \| --- \| --- \| --- \|
                \| `PassingTests` \| ok \(cached\) \| 0 ran, 4 cached \| [0-9.]+m?s saved \|
                \| `FailingTests` \| \*\*FAIL\*\* \| 2 ran, 1 cached \| [0-9.]+m?s, [0-9.]+m?s saved \|
                \| `FlakyTests` \| ok \(cached\) \| 0 ran, 1 cached \| [0-9.]+m?s saved \|
                \| `SlowTests` \| ok \(cached\) \| 0 ran, [0-9]+ cached \| [0-9.]+m?s saved \|

                \*\*4 targets: 1 ran, 3 cached, 1 failed; [0-9]+ tests: 2 ran, [0-9]+ cached; [0-9.]+m?s saved by the cache\*\*

                """#)
            #expect(summary.wholeMatch(of: expected) != nil, "\(summary)")
            let quiet = try fixture.run("--no-annotations", environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summaryPath])
            #expect(!quiet.stdout.contains("::error"), quiet.transcript)
            #expect(try String(contentsOfFile: summaryPath, encoding: .utf8) == summary, "--no-annotations writes no step summary")
            // -v streams a lone target's output as it comes, but never into the JSON stream.
            let verbose = try fixture.run("PassingTests", "--json", "-v", "--count", "1")
            #expect(try events(verbose.stdout).contains { $0["Action"] as? String == "pass" && $0["Test"] == nil }, verbose.transcript)
            // Outside GitHub Actions, none of it.
            let plain = try fixture.run()
            #expect(!second.stderr.contains("::error") && !plain.stdout.contains("::"), plain.transcript)
            #expect(!plain.stderr.contains("targets:"), "no tally off a terminal without -v: \(plain.transcript)")
            // With -v, the tally on stderr (-v is part of the key: the second such run replays).
            let verboseFirst = try fixture.run("-v")
            #expect(verboseFirst.stderr.contains(try Regex(#"4 targets: 4 ran, 0 cached, 1 failed; ([0-9]+) tests: \1 ran, 0 cached; 0s saved by the cache\n"#)),
                verboseFirst.transcript)
            let tallied = try fixture.run("-v")
            let tally = try Regex(#"4 targets: 1 ran, 3 cached, 1 failed; [0-9]+ tests: 2 ran, [0-9]+ cached; [0-9.]+m?s saved by the cache\n"#)
            #expect(tallied.stderr.contains(tally), tallied.transcript)
        }

        @Test func shardsAreDisjointAndCoverEveryTarget() throws {
            try FileManager.default.createDirectory(atPath: fixture.root + "/.build", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: fixture.root + "/.build/flaky-marker", contents: Data())
            // Every split of the selection is unit-tested (ShardPlanTests); here, that the runs of one hash
            // split and one slice split list every target once.
            for (kind, count) in [("hash", 2), ("slice", 3)] {
                var seen: [String] = []
                for shard in 1...count {
                    let run = try fixture.run("--partition", "\(kind):\(shard)/\(count)", "--list")
                    #expect(run.status == 0, run.transcript)
                    seen += run.summaries.map { $0.split(separator: "\t")[1] }.map(String.init)
                }
                #expect(seen.sorted() == Self.targets.sorted(), "\(kind) over \(count): \(seen)")
            }
            #expect(try fixture.run("--partition", "slice:2/3", "--list").summaries.map { String($0.split(separator: "\t")[1]) } == ["FailingTests"])
        }

        @Test func flakyTestsFailWhenAskedQuarantinedOnesNeverAndTheLastFailuresRunAgain() throws {
            // --flaky-result fail: a test that passed only on its retry fails the run; `flaky` counts it.
            let flaky = try fixture.run("FlakyTests", "--retries", "1", "--flaky-result", "fail")
            #expect(flaky.status == 1 && flaky.summaries.count == 1 && flaky.summaries[0].hasPrefix("FLAKY\tFlakyTests\t"), flaky.transcript)
            let listed = try fixture.run(command: "flaky")
            #expect(listed.status == 0 && listed.lines == ["flaky in the last 1 run that ran tests:", "1/1  FlakyTests.FlakyCase/testFailsOnce"], listed.transcript)

            // --rerun-failed runs exactly the failed tests of the last run of these options, and nothing else.
            let whole = try fixture.run("--json")
            #expect(whole.status == 1, whole.transcript)
            let rerun = try fixture.run("--rerun-failed", "--json")
            #expect(rerun.status == 1, rerun.transcript)
            let ran = Set(try events(rerun.stdout).compactMap { event -> String? in
                guard ["pass", "fail", "skip"].contains(event["Action"] as? String), let test = event["Test"] as? String, test.contains("/") || test.hasSuffix(")")
                else { return nil }
                return test
            })
            #expect(ran == ["FailingTests.FailingCase/testWrongAnswer", "FailingTests.expectsTheWrongAnswer()"], rerun.transcript)
            #expect(try events(rerun.stdout).allSatisfy { $0["Package"] as? String == "FailingTests" }, rerun.transcript)
            let unrecorded = try fixture.run("--rerun-failed", "PassingTests")
            #expect(unrecorded.status == 2 && unrecorded.stderr.split(separator: "\n").count == 1, unrecorded.transcript)

            // Quarantined: the failures run and report, and the run passes, in every format.
            try fixture.write(".swift-testcache.json", """
                {"quarantine": ["FailingTests.FailingCase/testWrongAnswer", {"test": "FailingTests.expects*", "reason": "issue 12"},
                  "PassingTests.PassingCase/testAnswer"]}
                """)
            let text = try fixture.run()
            #expect(text.status == 0, text.transcript)
            #expect(text.summaries.contains { $0.hasPrefix("ok  \tFailingTests\t") && $0.hasSuffix("\t(2 quarantined tests failed)") }, text.transcript)
            #expect(text.stdout.contains("*** FailingTests.expectsTheWrongAnswer() failed in quarantine (issue 12): the run passes."), text.transcript)
            let junitPath = fixture.temporary.path + "/quarantine.xml"
            let summaryPath = fixture.temporary.path + "/summary.md"
            let json = try fixture.run("--json", "--junit-xml", junitPath, environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summaryPath])
            #expect(json.status == 0, json.transcript)
            let stream = try events(json.stdout)
            for id in ["FailingTests.FailingCase/testWrongAnswer", "FailingTests.expectsTheWrongAnswer()"] {
                #expect(stream.last { $0["Test"] as? String == id }?["Action"] as? String == "skip", "\(id): \(json.stdout)")
            }
            #expect((stream.last?["TestCache"] as? [String: Any])?["QuarantinedFailed"] as? Int == 2, json.transcript)
            let streamFile = fixture.temporary.path + "/quarantine.json"
            try Data(json.stdout.utf8).write(to: URL(fileURLWithPath: streamFile))
            let rendered = try tool("gotestsum", ["--raw-command", "--", "cat", streamFile])
            #expect(rendered.status == 0 && !rendered.stdout.contains("✖"), "gotestsum sees no failure: \(rendered.stdout)")
            let report = try junit(junitPath)
            let failing = try #require(report["FailingTests"] as? [String: Any])
            #expect(failing["failures"] as? Int == 0 && failing["skipped"] as? Int == 2, "\(failing)")
            let wrong = try #require((failing["cases"] as? [String: [String: Any]])?["FailingTests.FailingCase/testWrongAnswer"])
            let result = try #require((wrong["results"] as? [[String: Any]])?.first)
            #expect(result["kind"] as? String == "Skipped" && (result["message"] as? String)?.hasPrefix("quarantined, failed: XCTAssertEqual") == true, "\(wrong)")
            let warnings = json.stderr.split(separator: "\n").filter { $0.hasPrefix("::warning ") && $0.contains("(quarantined)::") }
            #expect(warnings.count == 2 && !json.stderr.contains("::error"), json.transcript)
            #expect(try String(contentsOfFile: summaryPath, encoding: .utf8).contains("| ok (2 quarantined failed) |"))

            // Never cached as passes while quarantined: the quarantined test that passes runs every time,
            // and its target is not replayed whole; the other tests of it are.
            let again = try fixture.run("PassingTests", "--json")
            let answer = try events(again.stdout).filter { $0["Test"] as? String == "PassingTests.PassingCase/testAnswer" }
            #expect(answer.contains { ($0["Output"] as? String)?.hasPrefix("--- PASS: PassingTests.PassingCase/testAnswer (") == true
                && ($0["Output"] as? String)?.contains("(cached)") == false }, again.transcript)
            #expect(try !events(again.stdout).contains { $0["Output"] as? String == "ok  \tPassingTests\t(cached)\n" }, again.transcript)
            #expect(try events(again.stdout).contains { ($0["Output"] as? String)?.hasSuffix("tests cached)\n") == true }, "the others replayed: \(again.transcript)")

            // Nothing failed last time: nothing runs again.
            let nothing = try fixture.run("--rerun-failed")
            #expect(nothing.status == 0 && nothing.summaries.isEmpty && nothing.stderr.contains("had no failures: nothing to run"), nothing.transcript)

            // A malformed entry is a one-line error, exit 2.
            try fixture.write(".swift-testcache.json", #"{"quarantine": ["testWrongAnswer"]}"#)
            let malformed = try fixture.run()
            #expect(malformed.status == 2 && malformed.stderr.split(separator: "\n").count == 1 && malformed.summaries.isEmpty, malformed.transcript)
        }

        @Test func badReportOptionsAreOneLineErrorsAndRunNothing() throws {
            // A copy of its own, never built: nothing may be.
            let fixture = try Fixture("Reports")
            for arguments in [
                ["--partition", "0/3"], ["--partition", "hash:0/3"], ["--partition", "time:0/3"], ["--flaky-result", "maybe"], ["--partition", "slice:4/3"], ["--partition", "hash:x/2"],
                ["--junit-xml", "/nonexistent/directory/report.xml"], ["--junit-xml", fixture.root], ["--retries", "-1"],
            ] {
                let run = try fixture.run(arguments)
                #expect(run.status == 2, "\(arguments): \(run.transcript)")
                #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(arguments): \(run.transcript)")
                #expect(!FileManager.default.fileExists(atPath: fixture.root + "/.build"), "nothing was built: \(arguments)")
                #expect(!FileManager.default.fileExists(atPath: fixture.store), "the store was not touched: \(arguments)")
            }
        }

        @Test func anInterruptedRunLeavesAWholeJUnitFile() throws {
            try FileManager.default.createDirectory(atPath: fixture.root + "/.build", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: fixture.root + "/.build/flaky-marker", contents: Data())
            FileManager.default.createFile(atPath: fixture.root + "/.build/slow", contents: Data())
            let junitPath = fixture.temporary.path + "/junit.xml"
            let process = try startExecutable(
                "swift-testcache", ["--package-path", fixture.root, "--junit-xml", junitPath],
                environment: toolEnvironment(store: fixture.store))
            // Wait until the targets before SlowTests are reported (SlowTests sleeps), then interrupt.
            let deadline = Date().addingTimeInterval(300)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: junitPath, encoding: .utf8), text.contains("name=\"FlakyTests\"") { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            kill(process.processIdentifier, SIGINT)
            _ = finish(process)
            let report = try junit(junitPath)
            #expect(Set(report.keys) == ["PassingTests", "FailingTests", "FlakyTests"], "\(report)")
            #expect(try String(contentsOfFile: junitPath, encoding: .utf8).contains("did not finish"))
        }
    }
}
