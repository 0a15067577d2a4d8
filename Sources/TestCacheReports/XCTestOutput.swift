import Foundation

/// Reads per-test results from what XCTest prints, the only structured account it gives of a run on
/// Linux (swift-corelibs-xctest has no event stream; SwiftPM's xUnit file needs `--parallel`):
///
///     Test Case 'Class.testA' started at 2026-12-02 04:45:11.950
///     /path/File.swift:7: error: Class.testA : XCTAssertEqual failed: ("1") is not equal to ("2") -
///     Test Case 'Class.testA' failed (0.001 seconds)
///     /path/File.swift:8: Class.testB : Test skipped - not today
///     Test Case 'Class.testB' skipped (0.0 seconds)
///
/// Apple's XCTest names a test `-[Module.Class testA]` instead; both forms are read. A test that started
/// and never ended (its process crashed) is a failure holding the rest of the output.
public enum XCTestOutput {
    /// The tests of module `module` that `text` reports, in the order they ended.
    public static func parse(_ text: String, module: String) -> [TestCaseResult] {
        var results: [TestCaseResult] = []
        var current: (name: String, lines: [Substring], failures: [TestFailure], skip: String?)?
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { lines.removeLast() }
        for line in lines {
            if let (name, rest) = testCaseLine(line) {
                if rest.hasPrefix("started") {
                    if let open = current {
                        results.append(unfinished(open, module: module))
                    }
                    current = (name, [], [], nil)
                    continue
                }
                if let open = current, open.name == name, let outcome = outcome(of: rest) {
                    results.append(TestCaseResult(
                        id: id(of: name, module: module), outcome: outcome, elapsed: seconds(in: rest),
                        output: open.lines.map { $0 + "\n" }.joined(), failures: open.failures, skipReason: open.skip))
                    current = nil
                    continue
                }
            }
            guard current != nil else { continue }
            current!.lines.append(line)
            if let failure = failureLine(line, test: current!.name) {
                current!.failures.append(failure)
            } else if let reason = skipLine(line, test: current!.name) {
                current!.skip = reason
            }
        }
        if let open = current { results.append(unfinished(open, module: module)) }
        return results
    }

    /// A test that never reported its end: failed, with what it printed.
    private static func unfinished(
        _ open: (name: String, lines: [Substring], failures: [TestFailure], skip: String?), module: String
    ) -> TestCaseResult {
        var failures = open.failures
        failures.append(TestFailure(message: "the test did not finish: its process ended while it ran"))
        return TestCaseResult(
            id: id(of: open.name, module: module), outcome: .failed,
            output: open.lines.map { $0 + "\n" }.joined(), failures: failures)
    }

    /// `Test Case 'NAME' REST`: the name and the rest, or nil.
    private static func testCaseLine(_ line: Substring) -> (String, Substring)? {
        guard line.hasPrefix("Test Case '") else { return nil }
        let afterQuote = line.dropFirst("Test Case '".count)
        guard let close = afterQuote.range(of: "' ") else { return nil }
        return (String(afterQuote[..<close.lowerBound]), afterQuote[close.upperBound...])
    }

    private static func outcome(of rest: Substring) -> TestCaseResult.Outcome? {
        if rest.hasPrefix("passed") { return .passed }
        if rest.hasPrefix("failed") { return .failed }
        if rest.hasPrefix("skipped") { return .skipped }
        return nil
    }

    /// The seconds in `passed (0.001 seconds)`.
    private static func seconds(in rest: Substring) -> Double {
        guard let open = rest.firstIndex(of: "("), let space = rest[open...].firstIndex(of: " ") else { return 0 }
        return Seconds.bounded(Double(rest[rest.index(after: open)..<space]) ?? 0)
    }

    /// `FILE:LINE: error: NAME : MESSAGE` for the test `name`.
    private static func failureLine(_ line: Substring, test name: String) -> TestFailure? {
        guard let marker = line.range(of: ": error: " + name + " : ") else { return nil }
        let (file, number) = location(line[..<marker.lowerBound])
        return TestFailure(message: String(line[marker.upperBound...]), file: file, line: number)
    }

    /// `FILE:LINE: NAME : Test skipped - REASON` (or `Test skipped` alone) for the test `name`.
    private static func skipLine(_ line: Substring, test name: String) -> String? {
        guard let marker = line.range(of: ": " + name + " : Test skipped") else { return nil }
        let reason = line[marker.upperBound...]
        return reason.hasPrefix(" - ") ? String(reason.dropFirst(3)) : ""
    }

    /// `FILE:LINE` split; the file alone when there is no line number.
    private static func location(_ text: Substring) -> (String?, Int?) {
        guard let colon = text.lastIndex(of: ":"), let number = Int(text[text.index(after: colon)...]) else {
            return (text.isEmpty ? nil : String(text), nil)
        }
        return (String(text[..<colon]), number)
    }

    /// `Module.Class/testMethod` from `Class.testMethod` (Linux) or `-[Module.Class testMethod]` (Apple).
    static func id(of name: String, module: String) -> String {
        if name.hasPrefix("-["), name.hasSuffix("]"), let space = name.firstIndex(of: " ") {
            let className = name[name.index(name.startIndex, offsetBy: 2)..<space]
            let method = name[name.index(after: space)..<name.index(before: name.endIndex)]
            return (className.contains(".") ? String(className) : module + "." + className) + "/" + method
        }
        guard let dot = name.lastIndex(of: ".") else { return module + "." + name }
        return module + "." + name[..<dot] + "/" + name[name.index(after: dot)...]
    }
}
