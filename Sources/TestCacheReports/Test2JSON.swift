#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `go test -json` stream (cmd/test2json's format), so that the tools that read it (gotestsum,
/// go-junit-report, IDEs) read swift-testcache unchanged: one JSON object a line with `Time`, `Action`
/// (`start`, `run`, `output`, `pass`, `fail`, `skip`), `Package` (the test target), `Test`, `Elapsed`
/// (seconds) and `Output`, in test2json's field order.
///
/// A target's events come together: `start`; per test `run`, its output framed as Go frames it
/// (`=== RUN   ID`, then `--- PASS: ID (0.00s)`), and its result; then the target's `PASS`/`FAIL` line,
/// its summary line (which says `(cached)` for a replayed target, as Go's does) and its result. Test
/// IDs are Go test names: `Module.Class/testMethod` is the subtest `testMethod` of `Module.Class`, which
/// runs around the tests of its class or suite.
public enum Test2JSON {
    /// The lines (each ending in a newline) for one target's report, stamped `time` (nanoseconds since 1970).
    public static func events(for report: TargetReport, time: Int64) -> String {
        let stamp = rfc3339(nanoseconds: time)
        var lines = ""
        func emit(_ action: String, test: String? = nil, elapsed: Double? = nil, output: String? = nil) {
            var line = "{\"Time\":\"\(stamp)\",\"Action\":\"\(action)\",\"Package\":\(quoted(report.name))"
            if let test { line += ",\"Test\":\(quoted(test))" }
            if let elapsed { line += ",\"Elapsed\":\(seconds(elapsed))" }
            if let output { line += ",\"Output\":\(quoted(output))" }
            lines += line + "}\n"
        }
        func emitTest(_ test: TestCaseResult) {
            emit("run", test: test.id)
            emit("output", test: test.id, output: "=== RUN   \(test.id)\n")
            for line in splitLines(test.output) { emit("output", test: test.id, output: "    " + line) }
            if test.outcome == .flaky {
                emit("output", test: test.id, output: "    (failed, then passed when run again)\n")
            }
            // A quarantined test's failure is reported as a skip, which fails no reader's run, and says why.
            if test.failedInQuarantine {
                emit("output", test: test.id, output: "    (failed in quarantine: the run passes)\n")
            }
            let (word, action) = switch test.outcome {
            case .passed, .flaky: ("PASS", "pass")
            case .failed where test.quarantined == true: ("SKIP", "skip")
            case .failed: ("FAIL", "fail")
            case .skipped: ("SKIP", "skip")
            }
            // A test replayed from its own stored result says so where Go's cached package does: in the
            // line that would show its time, which is 0 (nothing ran).
            let cached = test.cached == true
            emit("output", test: test.id, output: "--- \(word): \(test.id) (\(cached ? "cached" : twoDecimals(test.elapsed) + "s"))\n")
            emit(action, test: test.id, elapsed: cached ? 0 : test.elapsed)
        }
        emit("start")
        // As in Go, a test whose ID has a slash is a subtest of the part before the first one (the
        // class or suite): that parent runs around its subtests, and ends failed if any of them did
        // (gotestsum needs a subtest's parent to have run).
        var groups: [(root: String, tests: [TestCaseResult])] = []
        for test in report.tests {
            let root = String(test.id.prefix { $0 != "/" })
            if let index = groups.firstIndex(where: { $0.root == root }) {
                groups[index].tests.append(test)
            } else {
                groups.append((root, [test]))
            }
        }
        for group in groups {
            let parent = group.tests.contains { $0.id != group.root }
            if parent {
                emit("run", test: group.root)
                emit("output", test: group.root, output: "=== RUN   \(group.root)\n")
            }
            for test in group.tests { emitTest(test) }
            if parent {
                let failed = group.tests.contains(where: \.failsTheRun)
                let elapsed = group.tests.reduce(0) { $0 + $1.elapsed }
                emit("output", test: group.root, output: "--- \(failed ? "FAIL" : "PASS"): \(group.root) (\(twoDecimals(elapsed))s)\n")
                emit(failed ? "fail" : "pass", test: group.root, elapsed: elapsed)
            }
        }
        if report.failedOutsideTests {
            for line in splitLines(report.output) { emit("output", output: line) }
        }
        switch report.outcome {
        case .passed, .flaky, .noTestsToRun: emit("output", output: "PASS\n")
        case .failed: emit("output", output: "FAIL\n")
        case .noTestFiles, .buildFailed, .setupFailed: break
        }
        emit("output", output: report.summaryLine + "\n")
        let elapsed = report.cached ? 0 : report.duration ?? 0
        switch report.outcome {
        case .passed, .flaky, .noTestsToRun: emit("pass", elapsed: elapsed)
        case .noTestFiles: emit("skip", elapsed: elapsed)
        case .failed, .buildFailed, .setupFailed: emit("fail", elapsed: elapsed)
        }
        return lines
    }

    /// Text cut into lines that keep their newline; a last line without one gets one.
    static func splitLines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 + "\n" }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Seconds as Go's encoder writes a float: the shortest form, no exponent for test-sized values.
    static func seconds(_ value: Double) -> String {
        let rounded = (Seconds.bounded(value) * 1_000_000).rounded() / 1_000_000
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(rounded)
    }

    /// `0.00` as Go's `--- PASS: T (0.00s)` shows a test's seconds.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((Seconds.bounded(value) * 100).rounded())
        let fraction = String(hundredths % 100)
        return "\(hundredths / 100).\(String(repeating: "0", count: 2 - fraction.count))\(fraction)"
    }

    /// RFC 3339 in UTC with nanoseconds, as Go marshals a time: `2026-12-02T04:45:11.950123456Z`.
    static func rfc3339(nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let nanos = String(nanoseconds % 1_000_000_000)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):"
            + "\(two(parts.tm_sec)).\(String(repeating: "0", count: 9 - nanos.count))\(nanos)Z"
    }
}
