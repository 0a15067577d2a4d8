import Foundation
import Testing
@testable import TestCacheReports

/// The testing libraries' own accounts of a run, captured from a real run of Samples/MixTests.swift.txt
/// (Swift 6.3.1, Linux): XCTest's console output and Swift Testing's event stream (version 0).
@Suite struct ParsingTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples").path

    static func sample(_ name: String) throws -> String {
        try String(contentsOfFile: samples + "/" + name, encoding: .utf8)
    }

    @Test func xctestOutputGivesEachTestsOutcomeTimeOutputAndFailure() throws {
        let tests = XCTestOutput.parse(try Self.sample("xctest-output.txt"), module: "MixTests")
        #expect(tests.map(\.id) == ["MixTests.XCase/testFail", "MixTests.XCase/testPass", "MixTests.XCase/testSkip"])
        #expect(tests.map(\.outcome) == [.failed, .passed, .skipped])
        #expect(tests[0].elapsed == 0.001)
        #expect(tests[0].failures == [TestFailure(
            message: "XCTAssertEqual failed: (\"1\") is not equal to (\"2\") - bad <&> ]]> value",
            file: "/tmp/st/Tests/MixTests/MixTests.swift", line: 7)])
        #expect(tests[1].output == "hello from xc\n" && tests[1].failures.isEmpty)
        #expect(tests[2].skipReason == "not today")
        #expect(tests[0].className == "MixTests.XCase" && tests[0].name == "testFail")
    }

    @Test func anXCTestThatNeverEndedFailed() {
        let text = "Test Case 'A.testOne' started at 2026-12-02\nTest Case 'A.testOne' passed (0.002 seconds)\n"
            + "Test Case 'A.testTwo' started at 2026-12-02\nabout to crash\n"
        let tests = XCTestOutput.parse(text, module: "M")
        #expect(tests.map(\.outcome) == [.passed, .failed])
        #expect(tests[1].id == "M.A/testTwo" && tests[1].output == "about to crash\n" && !tests[1].failures.isEmpty)
    }

    @Test func applesXCTestNamesAreRead() {
        #expect(XCTestOutput.id(of: "-[M.A testOne]", module: "M") == "M.A/testOne")
        #expect(XCTestOutput.id(of: "A.testOne", module: "M") == "M.A/testOne")
    }

    @Test func swiftTestingsEventStreamGivesEachFunctionsResult() throws {
        let tests = SwiftTestingEvents.parse(Array(try Self.sample("swift-testing-events.jsonl").utf8), module: "MixTests")
        #expect(tests.map(\.id) == [
            "MixTests.Suite1/skipped()", "MixTests.freeFunction()", "MixTests.Suite1/fails()", "MixTests.Suite1/passes()",
            "MixTests.Suite1/param(x:)",
        ])
        #expect(tests.map(\.outcome) == [.skipped, .passed, .failed, .passed, .passed])
        #expect(tests[0].skipReason == "off")
        #expect(tests[2].failures == [TestFailure(
            message: "Expectation failed: (v → 1) == 2\nnope", file: "/tmp/st/Tests/MixTests/MixTests.swift", line: 13)])
        #expect(tests[2].output == "MixTests/MixTests.swift:13: Expectation failed: (v → 1) == 2\n    nope\n")
        #expect(abs(tests[2].elapsed - (1336.120556342 - 1336.117198215)) < 1e-9)
        #expect(tests[1].className == "MixTests" && tests[1].name == "freeFunction()")
    }

    /// The stream in the toolchain's own version (6.3), captured from Samples/WarningTests.swift.txt: a
    /// warning is said but fails nothing, and a skip's reason is read from its message.
    @Test func aWarningInSixThreesStreamFailsNothing() throws {
        let tests = SwiftTestingEvents.parse(Array(try Self.sample("swift-testing-events-6.3.jsonl").utf8), module: "WTests")
        let byID = Dictionary(tests.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(byID.keys) == ["WTests.warns()", "WTests.fails()", "WTests.passes()", "WTests.off()", "WTests.each(_:)"])
        #expect(byID["WTests.warns()"]?.outcome == .passed && byID["WTests.warns()"]?.failures == [])
        #expect(byID["WTests.warns()"]?.output.contains("careful") == true)
        #expect(byID["WTests.fails()"]?.outcome == .failed && byID["WTests.fails()"]?.failures.first?.message == "Expectation failed: 1 == 2")
        #expect(byID["WTests.off()"]?.outcome == .skipped && byID["WTests.off()"]?.skipReason == "not today")
        #expect(byID["WTests.each(_:)"]?.outcome == .passed && byID["WTests.passes()"]?.outcome == .passed)
    }

    @Test func knownIssuesDoNotFailAndSuiteIssuesAreReported() {
        let stream = """
            {"kind":"test","payload":{"id":"M.S","kind":"suite","name":"S"},"version":0}
            {"kind":"test","payload":{"id":"M.S/t()/F.swift:3:4","kind":"function","name":"t()"},"version":0}
            {"kind":"event","payload":{"kind":"testStarted","testID":"M.S/t()/F.swift:3:4","instant":{"absolute":1}},"version":0}
            {"kind":"event","payload":{"kind":"issueRecorded","testID":"M.S/t()/F.swift:3:4","issue":{"isKnown":true},"messages":[{"text":"known"}]},"version":0}
            {"kind":"event","payload":{"kind":"testEnded","testID":"M.S/t()/F.swift:3:4","instant":{"absolute":1.5}},"version":0}
            {"kind":"event","payload":{"kind":"issueRecorded","testID":"M.S","issue":{"isKnown":false},"messages":[{"text":"suite trouble"}]},"version":0}
            {"kind":"event","payload":{"kind":"testEnded","testID":"M.S"},"version":0}
            {"kind":"event","payload":{"kind":"testEnd
            """
        let tests = SwiftTestingEvents.parse(Array(stream.utf8), module: "M")
        #expect(tests == [
            TestCaseResult(id: "M.S/t()", outcome: .passed, elapsed: 0.5),
            TestCaseResult(id: "M.S", outcome: .failed, output: "suite trouble\n", failures: [TestFailure(message: "suite trouble")]),
        ])
    }
}
