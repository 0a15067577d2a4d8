import Synchronization
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TestCacheReports

/// The formats CI reads, written from reports: test2json lines, JUnit XML, GitHub Actions commands.
@Suite struct FormatTests {
    static let failing = TargetReport(
        name: "CoreTests", outcome: .failed, duration: 0.5, output: "all of it\n", summaryLine: "FAIL\tCoreTests\t0.500s",
        tests: [
            TestCaseResult(id: "CoreTests.A/testOK", outcome: .passed, elapsed: 0.01, output: "hi\n"),
            TestCaseResult(
                id: "CoreTests.A/testBad", outcome: .failed, elapsed: 0.02, output: "boom ]]> \u{1}\u{1B}[31mred\u{1B}[0m\n",
                failures: [TestFailure(message: "x: \"1\" <> 2, 100%\nsecond line", file: "/w/pkg/Tests/CoreTests/A.swift", line: 7)]),
            TestCaseResult(id: "CoreTests.S/later()", outcome: .skipped, skipReason: "not now"),
        ])
    static let cached = TargetReport(
        name: "UITests", outcome: .passed, cached: true, duration: 61.5, summaryLine: "ok  \tUITests\t(cached)",
        tests: [TestCaseResult(id: "UITests.B/testOne", outcome: .passed, elapsed: 61)])
    static let flaky = TargetReport(
        name: "NetTests", outcome: .flaky, duration: 2, summaryLine: "FLAKY\tNetTests\t2.000s",
        tests: [TestCaseResult(id: "NetTests.C/testFlaky", outcome: .flaky, elapsed: 1, failures: [TestFailure(message: "timed out")])])

    /// Each line of a test2json stream as a dictionary, in order.
    func decoded(_ lines: String) throws -> [[String: Any]] {
        try lines.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func test2jsonFramesEachTestAsGoDoes() throws {
        let events = try decoded(Test2JSON.events(for: Self.failing, time: 1_796_186_713_338_081_600))
        #expect(events.allSatisfy { $0["Time"] as? String == "2026-12-02T04:45:13.338081600Z" && $0["Package"] as? String == "CoreTests" })
        let summary = events.map { event in
            [event["Action"] as? String ?? "", event["Test"] as? String ?? "", event["Output"] as? String ?? ""].joined(separator: "|")
        }
        #expect(summary == [
            "start||",
            "run|CoreTests.A|", "output|CoreTests.A|=== RUN   CoreTests.A\n",
            "run|CoreTests.A/testOK|", "output|CoreTests.A/testOK|=== RUN   CoreTests.A/testOK\n", "output|CoreTests.A/testOK|    hi\n",
            "output|CoreTests.A/testOK|--- PASS: CoreTests.A/testOK (0.01s)\n", "pass|CoreTests.A/testOK|",
            "run|CoreTests.A/testBad|", "output|CoreTests.A/testBad|=== RUN   CoreTests.A/testBad\n",
            "output|CoreTests.A/testBad|    boom ]]> \u{1}\u{1B}[31mred\u{1B}[0m\n",
            "output|CoreTests.A/testBad|--- FAIL: CoreTests.A/testBad (0.02s)\n", "fail|CoreTests.A/testBad|",
            "output|CoreTests.A|--- FAIL: CoreTests.A (0.03s)\n", "fail|CoreTests.A|",
            "run|CoreTests.S|", "output|CoreTests.S|=== RUN   CoreTests.S\n",
            "run|CoreTests.S/later()|", "output|CoreTests.S/later()|=== RUN   CoreTests.S/later()\n",
            "output|CoreTests.S/later()|--- SKIP: CoreTests.S/later() (0.00s)\n", "skip|CoreTests.S/later()|",
            "output|CoreTests.S|--- PASS: CoreTests.S (0.00s)\n", "pass|CoreTests.S|",
            "output||FAIL\n", "output||FAIL\tCoreTests\t0.500s\n", "fail||",
        ])
        #expect(events.last?["Elapsed"] as? Double == 0.5)
        #expect(events[7]["Elapsed"] as? Double == 0.01)
    }

    @Test func aCachedTargetReplaysItsTestsAndSaysCached() throws {
        let events = try decoded(Test2JSON.events(for: Self.cached, time: 0))
        #expect(events.compactMap { $0["Output"] as? String }.last == "ok  \tUITests\t(cached)\n")
        #expect(events.last?["Action"] as? String == "pass" && events.last?["Elapsed"] as? Double == 0)
        #expect(events.contains { $0["Action"] as? String == "pass" && $0["Test"] as? String == "UITests.B/testOne" })
    }

    @Test func jsonStringsEscapeControlCharacters() {
        #expect(Test2JSON.quoted("a\"b\\c\n\t\u{1}") == "\"a\\\"b\\\\c\\n\\t\\u0001\"")
    }

    /// Parses an XML document with Foundation's parser: whether it is well-formed.
    func wellFormed(_ xml: String) -> Bool {
        XMLParser(data: Data(xml.utf8)).parse()
    }

    @Test func junitHoldsEverySuiteEscapedAndCounted() {
        let xml = JUnitXML.document([Self.failing, Self.cached, Self.flaky], root: "/w/pkg")
        #expect(wellFormed(xml), "\(xml)")
        #expect(xml.contains("<testsuites name=\"swift-testcache\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"2.500\">"))
        #expect(xml.contains("<testcase classname=\"CoreTests.A\" name=\"testBad\" time=\"0.020\" file=\"Tests/CoreTests/A.swift\" line=\"7\">"))
        #expect(xml.contains("<failure message=\"x: &quot;1&quot; &lt;&gt; 2, 100%\" type=\"failure\">Tests/CoreTests/A.swift:7: x: &quot;1&quot; &lt;&gt; 2, 100%\nsecond line</failure>"))
        #expect(xml.contains("<system-out>boom ]]&gt; \\x01red\n</system-out>"), "colour codes dropped, the control character spelled out")
        #expect(xml.contains("<skipped message=\"not now\"/>"))
        #expect(xml.contains("<property name=\"swift-testcache.cached\" value=\"true\"/>"))
        #expect(xml.contains("<testsuite name=\"UITests\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\">"))
        #expect(xml.contains("<flakyFailure message=\"timed out\" type=\"failure\">timed out</flakyFailure>"))
    }

    @Test func junitCountsAFailureOutsideAnyTestAndRepeatedNames() {
        let crashed = TargetReport(
            name: "T", outcome: .failed, duration: 1, summaryLine: "FAIL\tT\t1.000s",
            tests: [TestCaseResult(id: "T.A/testX", outcome: .passed), TestCaseResult(id: "T.A/testX", outcome: .passed)])
        let unbuilt = TargetReport(name: "U", outcome: .buildFailed, summaryLine: "FAIL\tU [build failed]")
        let xml = JUnitXML.document([crashed, unbuilt], root: nil, interrupted: true)
        #expect(wellFormed(xml))
        #expect(xml.contains("name=\"testX\" time") && xml.contains("name=\"testX (2)\" time"))
        #expect(xml.contains("<error message=\"the test process failed outside any test\" type=\"error\">FAIL\tT\t1.000s</error>"))
        #expect(xml.contains("<error message=\"the package did not build\""))
        #expect(xml.contains("tests=\"4\" failures=\"0\" errors=\"2\""))
        #expect(xml.contains("interrupted"))
    }

    @Test func annotationsAreEscapedAsTheToolkitEscapesAndBounded() {
        let lines = GitHubActions.annotations([Self.failing, Self.cached], workspace: "/w")
        #expect(lines == [
            "::error file=pkg/Tests/CoreTests/A.swift,line=7,title=CoreTests%3A CoreTests.A/testBad::x: \"1\" <> 2, 100%25%0Asecond line",
        ])
        let many = TargetReport(
            name: "M", outcome: .failed, summaryLine: "FAIL\tM\t1.000s",
            tests: (1...12).map { TestCaseResult(id: "M.A/test\($0)", outcome: .failed, failures: [TestFailure(message: "no \($0)")]) })
        let bounded = GitHubActions.annotations([many], workspace: nil)
        #expect(bounded.count == 11)
        #expect(bounded[9] == "::error title=M%3A M.A/test10::no 10")
        #expect(bounded[10] == "::notice::2 more test failures are not annotated (GitHub shows 10 per step); the log and the JUnit report have them all")
        #expect(GitHubActions.escapedProperty("a:b,c%\r\n") == "a%3Ab%2Cc%25%0D%0A")
    }

    /// A target of which one test was replayed from its own result, one ran and one failed in quarantine.
    static let mixed = TargetReport(
        name: "MixTests", outcome: .passed, duration: 1, summaryLine: "ok  \tMixTests\t1.000s",
        tests: [
            { var test = TestCaseResult(id: "MixTests.D/testOld", outcome: .passed, elapsed: 2.5); test.cached = true; return test }(),
            TestCaseResult(id: "MixTests.D/testNew", outcome: .passed, elapsed: 0.5),
            {
                var test = TestCaseResult(
                    id: "MixTests.D/testShaky", outcome: .failed, elapsed: 0.1, failures: [TestFailure(message: "late", file: "/w/pkg/D.swift", line: 3)])
                test.quarantined = true
                return test
            }(),
        ])

    @Test func theStepSummaryHasARowPerTargetAndTheTally() {
        #expect(GitHubActions.stepSummary([Self.failing, Self.cached, Self.flaky, Self.mixed]) == """
            ### swift-testcache

            | Target | Result | Tests | Time |
            | --- | --- | --- | --- |
            | `CoreTests` | **FAIL** | 3 ran, 0 cached | 500ms |
            | `UITests` | ok (cached) | 0 ran, 1 cached | 1m2s saved |
            | `NetTests` | FLAKY | 1 ran, 0 cached | 2s |
            | `MixTests` | ok (1 quarantined failed) | 2 ran, 1 cached | 1s, 2.5s saved |

            **4 targets: 3 ran, 1 cached, 1 failed, 1 flaky, 1 quarantined failed; 8 tests: 6 ran, 2 cached; 1m4s saved by the cache**

            """)
    }

    @Test func theTallySavesTheStoredTimesOfWhatWasReplayedWholeOrOneByOne() {
        let tally = RunTally([Self.cached, Self.mixed])
        #expect(tally.saved == 61.5 + 2.5)
        #expect((tally.tests, tally.testsRan, tally.testsCached, tally.quarantined) == (4, 2, 2, 1))
        // No test reported, no tests part.
        #expect(RunTally([TargetReport(name: "T", outcome: .noTestFiles, summaryLine: "?")]).description == "1 target: 0 ran, 0 cached, 0 failed; 0s saved by the cache")
    }

    @Test func aQuarantinedFailureIsASkipAWarningAndPassesItsGroup() throws {
        let events = try decoded(Test2JSON.events(for: Self.mixed, time: 0))
        let shaky = events.filter { $0["Test"] as? String == "MixTests.D/testShaky" }
        #expect(shaky.last?["Action"] as? String == "skip")
        #expect(shaky.contains { ($0["Output"] as? String)?.contains("failed in quarantine") == true })
        #expect(events.first { $0["Test"] as? String == "MixTests.D" && ["pass", "fail"].contains($0["Action"] as? String) }?["Action"] as? String == "pass")
        let annotations = GitHubActions.annotations([Self.mixed, Self.failing], workspace: "/w/pkg")
        #expect(annotations.first { $0.hasPrefix("::error") } != nil)
        #expect(annotations.last == "::warning file=D.swift,line=3,title=MixTests%3A MixTests.D/testShaky (quarantined)::late")
        let xml = JUnitXML.document([Self.mixed], root: "/w/pkg")
        #expect(xml.contains("<skipped message=\"quarantined, failed: late\">D.swift:3: late</skipped>"), "\(xml)")
        #expect(xml.contains("<property name=\"swift-testcache.quarantined\" value=\"true\"/>"))
        #expect(xml.contains("<property name=\"swift-testcache.tests-cached\" value=\"1\"/>"))
        #expect(xml.contains("<property name=\"swift-testcache.saved-time\" value=\"2.500\"/>"))
        #expect(xml.contains("failures=\"0\" errors=\"0\" skipped=\"1\""))
    }

    @Test func theLastJSONEventCarriesTheRunsTotals() throws {
        let written = Mutex("")
        let observer = JSONEventObserver(write: { text in written.withLock { $0 += text } }, clock: { 0 })
        observer.targetFinished(Self.cached)
        let held = written.withLock { $0 }
        #expect(!held.isEmpty && !held.contains("TestCache"), "the target's last event waits for the next target")
        observer.targetFinished(Self.mixed)
        observer.runFinished(interrupted: false)
        let events = try decoded(written.withLock { $0 })
        #expect(events.filter { $0["TestCache"] != nil }.count == 1)
        let totals = try #require(events.last?["TestCache"] as? [String: Any])
        #expect(events.last?["Action"] as? String == "pass" && events.last?["Package"] as? String == "MixTests")
        #expect(totals["Tests"] as? Int == 4 && totals["TestsRan"] as? Int == 2 && totals["TestsCached"] as? Int == 2)
        #expect(totals["Saved"] as? Double == 64 && totals["QuarantinedFailed"] as? Int == 1 && totals["TargetsCached"] as? Int == 1)
        // Every event of both targets was written once.
        #expect(events.count == (try decoded(Test2JSON.events(for: Self.cached, time: 0) + Test2JSON.events(for: Self.mixed, time: 0))).count)
    }

    @Test func durationsReadAsGoPrintsThem() {
        #expect(RunTally.describe(seconds: 0) == "0s")
        #expect(RunTally.describe(seconds: 0.25) == "250ms")
        #expect(RunTally.describe(seconds: 1.203) == "1.203s")
        #expect(RunTally.describe(seconds: 102) == "1m42s")
        #expect(RunTally.describe(seconds: 3723) == "1h2m3s")
    }
}

@Suite struct CoverageFormatTests {
    static let square = """
        SF:Sources/Shapes/Shapes.swift
        FN:3,$s6Shapes4areaSiyF
        FN:9,$s6Shapes9perimeterSiyF
        FNDA:2,$s6Shapes4areaSiyF
        FNDA:0,$s6Shapes9perimeterSiyF
        FNF:2
        FNH:1
        DA:3,2
        DA:4,2
        DA:9,0
        LF:3
        LH:2
        end_of_record

        """
    static let circle = """
        SF:Sources/Shapes/Shapes.swift
        FN:9,10,$s6Shapes9perimeterSiyF
        FNDA:1,$s6Shapes9perimeterSiyF
        DA:9,1
        DA:10,1
        end_of_record

        """

    @Test func tracefilesMergeLineAndFunctionCounts() {
        let merged = LCOV.mergedFiles([Self.square, Self.circle])
        let file = merged["Sources/Shapes/Shapes.swift"]
        #expect(file?.lines == [3: 2, 4: 2, 9: 1, 10: 1])
        #expect(file?.functions["$s6Shapes4areaSiyF"] == FunctionCoverage(line: 3, count: 2))
        #expect(file?.functions["$s6Shapes9perimeterSiyF"] == FunctionCoverage(line: 9, count: 1), "lcov 2's FN:start,end,name too")
        let text = LCOV.merge([Self.square, Self.circle])
        #expect(text.contains("FNF:2\nFNH:2\n") && text.contains("LF:4\nLH:4\n"), "\(text)")
    }

    @Test func llvmCovJSONExportCarriesTheLinesAsRegions() throws {
        let json = LLVMCovJSON.export(LCOV.mergedFiles([Self.square]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "llvm.coverage.json.export" && object["version"] as? String == "2.0.1")
        let data = try #require((object["data"] as? [[String: Any]])?.first)
        let totals = try #require(data["totals"] as? [String: [String: Any]])
        #expect(totals["lines"]?["count"] as? Int == 3 && totals["lines"]?["covered"] as? Int == 2)
        #expect(totals["functions"]?["count"] as? Int == 2 && totals["functions"]?["covered"] as? Int == 1)
        let file = try #require((data["files"] as? [[String: Any]])?.first)
        // Lines 3 and 4 run on, 9 stands alone: each ends where the next line starts.
        let segments = try #require(file["segments"] as? [[Any]])
        #expect(segments.map { ($0[0] as? Int ?? -1, $0[2] as? Int ?? -1, $0[3] as? Bool ?? false) }.elementsEqual(
            [(3, 2, true), (4, 2, true), (5, 0, false), (9, 0, true), (10, 0, false)], by: ==))
        #expect((data["functions"] as? [[String: Any]])?.count == 2)
    }
}
