/// JUnit XML as CI systems read it (Jenkins, GitLab, the publish-unit-test-result action through
/// junitparser): a `<testsuite>` per test target, a `<testcase>` per test with `classname` (`Module.Class`,
/// `Module.Suite`) and `name`, `time` in seconds, and `file`/`line` of its first failure where known.
///
/// A failed test has `<failure message=…>` (the first failure's message; the body holds each failure
/// with its place), a skipped one `<skipped/>`, a flaky one (failed, then passed when run again) passes
/// with a `<flakyFailure>` per earlier failure as cargo-nextest writes it; a quarantined one that failed is
/// `<skipped message="quarantined, failed: …">` with its failures, and the property
/// `swift-testcache.quarantined`. Each suite says what the cache saved of it: `swift-testcache.tests-ran`,
/// `tests-cached` and `saved-time`. A target that failed without a
/// failing test (its process crashed, say) or did not build gets an `<error>` test case of its own, so
/// that no failure goes uncounted. A cached target is included with its stored tests and the property
/// `swift-testcache.cached` = `true`; its suite's `time` is 0, since nothing ran. Names repeated within a
/// suite (`--count`) get ` (2)`, ` (3)`… GitLab and Jenkins merge repeated names. Text is escaped for
/// attributes and content; terminal colour codes are dropped and other characters XML cannot hold are
/// written as `\x1b`, so the file always parses.
public enum JUnitXML {
    /// The document for a run's reports, in their order. Paths inside `root` are made relative to it.
    public static func document(_ reports: [TargetReport], root: String?, interrupted: Bool = false) -> String {
        var suites = ""
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
        for report in reports {
            let suite = testsuite(report, root: root)
            suites += suite.xml
            totals.tests += suite.tests
            totals.failures += suite.failures
            totals.errors += suite.errors
            totals.skipped += suite.skipped
            totals.time += report.cached ? 0 : report.duration ?? 0
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"swift-testcache\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" "
            + "errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\" time=\"\(seconds(totals.time))\">\n"
        if interrupted {
            xml += "  <!-- The run did not finish (still running, or interrupted): the targets reported by then are here. -->\n"
        }
        return xml + suites + "</testsuites>\n"
    }

    private static func testsuite(_ report: TargetReport, root: String?) -> (xml: String, tests: Int, failures: Int, errors: Int, skipped: Int) {
        var cases = ""
        var counts = (tests: 0, failures: 0, errors: 0, skipped: 0)
        var seen: [String: Int] = [:]
        for test in report.tests {
            let key = test.className + "\u{0}" + test.name
            seen[key, default: 0] += 1
            let name = seen[key]! == 1 ? test.name : "\(test.name) (\(seen[key]!))"
            let cached = test.cached == true
            var attributes = "classname=\"\(escaped(test.className))\" name=\"\(escaped(name))\" time=\"\(seconds(cached ? 0 : test.elapsed))\""
            if let first = test.failures.first(where: { $0.file != nil }), let file = first.file {
                attributes += " file=\"\(escaped(relative(file, root: root)))\""
                if let line = first.line { attributes += " line=\"\(line)\"" }
            }
            counts.tests += 1
            switch test.outcome {
            case .passed where cached:
                // Replayed from the test's own stored result, as pytest's record_property marks a case.
                cases += "    <testcase \(attributes)>\n      <properties>\n"
                cases += "        <property name=\"swift-testcache.cached\" value=\"true\"/>\n"
                cases += "        <property name=\"swift-testcache.stored-time\" value=\"\(seconds(test.elapsed))\"/>\n"
                cases += "      </properties>\n    </testcase>\n"
            case .passed where test.quarantined == true:
                cases += "    <testcase \(attributes)>\n      <properties>\n"
                cases += "        <property name=\"swift-testcache.quarantined\" value=\"true\"/>\n      </properties>\n    </testcase>\n"
            case .passed:
                cases += "    <testcase \(attributes)/>\n"
            case .skipped:
                counts.skipped += 1
                let message = test.skipReason.map { " message=\"\(escaped($0))\"" } ?? ""
                cases += "    <testcase \(attributes)>\n      <skipped\(message)/>\n    </testcase>\n"
            case .failed where test.quarantined == true:
                // Failed in quarantine: a skip with the failure, which fails no reader's check.
                counts.skipped += 1
                cases += "    <testcase \(attributes)>\n      <properties>\n"
                cases += "        <property name=\"swift-testcache.quarantined\" value=\"true\"/>\n      </properties>\n"
                cases += "      <skipped message=\"quarantined, failed: \(escaped(firstLine(test.failures.first?.message ?? "failed")))\">"
                cases += escaped(test.failures.map { describe($0, root: root) }.joined(separator: "\n")) + "</skipped>\n"
                if !test.output.isEmpty { cases += "      <system-out>\(escaped(test.output))</system-out>\n" }
                cases += "    </testcase>\n"
            case .failed:
                counts.failures += 1
                cases += "    <testcase \(attributes)>\n"
                cases += "      <failure message=\"\(escaped(firstLine(test.failures.first?.message ?? "failed")))\" type=\"failure\">"
                cases += escaped(test.failures.map { describe($0, root: root) }.joined(separator: "\n")) + "</failure>\n"
                if !test.output.isEmpty { cases += "      <system-out>\(escaped(test.output))</system-out>\n" }
                cases += "    </testcase>\n"
            case .flaky:
                cases += "    <testcase \(attributes)>\n"
                for failure in test.failures {
                    cases += "      <flakyFailure message=\"\(escaped(firstLine(failure.message)))\" type=\"failure\">"
                        + escaped(describe(failure, root: root)) + "</flakyFailure>\n"
                }
                cases += "    </testcase>\n"
            }
        }
        if report.failedOutsideTests {
            counts.tests += 1
            counts.errors += 1
            let message = switch report.outcome {
            case .buildFailed: "the package did not build"
            case .setupFailed: "the tests could not be listed or started"
            default: "the test process failed outside any test"
            }
            cases += "    <testcase classname=\"\(escaped(report.name))\" name=\"(target)\" time=\"0\">\n"
            cases += "      <error message=\"\(escaped(message))\" type=\"error\">\(escaped(report.summaryLine))</error>\n"
            cases += "    </testcase>\n"
        }
        var xml = "  <testsuite name=\"\(escaped(report.name))\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" "
            + "errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\" time=\"\(seconds(report.cached ? 0 : report.duration ?? 0))\">\n"
        xml += "    <properties>\n"
        xml += "      <property name=\"swift-testcache.cached\" value=\"\(report.cached)\"/>\n"
        xml += "      <property name=\"swift-testcache.outcome\" value=\"\(report.outcome.rawValue)\"/>\n"
        if report.cached, let duration = report.duration {
            xml += "      <property name=\"swift-testcache.stored-time\" value=\"\(seconds(duration))\"/>\n"
        }
        // What the cache saved of this target: its tests run and replayed, and the replayed ones' stored time.
        let tally = RunTally([report])
        xml += "      <property name=\"swift-testcache.tests-ran\" value=\"\(tally.testsRan)\"/>\n"
        xml += "      <property name=\"swift-testcache.tests-cached\" value=\"\(tally.testsCached)\"/>\n"
        xml += "      <property name=\"swift-testcache.saved-time\" value=\"\(seconds(tally.saved))\"/>\n"
        xml += "    </properties>\n"
        xml += cases
        if !report.output.isEmpty { xml += "    <system-out>\(escaped(report.output))</system-out>\n" }
        xml += "  </testsuite>\n"
        return (xml, counts.tests, counts.failures, counts.errors, counts.skipped)
    }

    /// `file:line: message`, the file relative to the root when inside it.
    private static func describe(_ failure: TestFailure, root: String?) -> String {
        guard let file = failure.file else { return failure.message }
        return relative(file, root: root) + (failure.line.map { ":\($0)" } ?? "") + ": " + failure.message
    }

    static func relative(_ path: String, root: String?) -> String {
        guard let root, path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count + 1))
    }

    private static func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" })
    }

    /// Seconds with three decimals.
    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((Seconds.bounded(value) * 1_000).rounded())
        let fraction = String(milliseconds % 1_000)
        return "\(milliseconds / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// Text escaped for XML content and attributes (so `]]>` can never end anything), terminal escape
    /// sequences dropped, and characters XML 1.0 forbids written as `\xHH`.
    static func escaped(_ text: String) -> String {
        var result = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n", "\t": result.unicodeScalars.append(scalar)
            case "\r": result += "&#13;"
            case "\u{1B}":
                // ESC [ parameters final-byte: a colour or cursor sequence, dropped whole.
                if let next = scalars.next() {
                    if next == "[" {
                        while let part = scalars.next(), !(0x40...0x7E).contains(part.value) {}
                        continue
                    }
                    result += "\\x1b" + escaped(String(next))
                } else {
                    result += "\\x1b"
                }
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
