/// What a run adds to a GitHub Actions job: an `::error` annotation per failed test, shown on the
/// pull request's diff at the failing line, and a table in the job's step summary.
///
/// Annotations are workflow commands escaped as the actions toolkit escapes them (`%`, CR and LF in the
/// message; also `:` and `,` in properties). GitHub shows at most 10 error annotations of a step, so
/// at most ``annotationLimit`` are written and the rest are counted in one notice.
public enum GitHubActions {
    /// GitHub shows 10 error annotations per step; more are dropped without a word.
    public static let annotationLimit = 10

    /// The workflow command lines for the failures in `reports`, at most `limit` errors and then one
    /// notice counting the rest. Files inside `workspace` (`GITHUB_WORKSPACE`) are named relative to it,
    /// as GitHub needs to place them in the diff.
    public static func annotations(_ reports: [TargetReport], workspace: String?, limit: Int = annotationLimit) -> [String] {
        var lines: [String] = []
        var left = 0
        for report in reports {
            var failures: [(title: String, failure: TestFailure)] = []
            for test in report.tests where test.outcome == .failed {
                let list = test.failures.isEmpty ? [TestFailure(message: "failed")] : test.failures
                failures += list.map { ("\(report.name): \(test.id)", $0) }
            }
            if report.failedOutsideTests {
                failures.append((report.name, TestFailure(message: report.summaryLine)))
            }
            for (title, failure) in failures {
                guard lines.count < limit else {
                    left += 1
                    continue
                }
                var properties: [String] = []
                if let file = failure.file { properties.append("file=" + escapedProperty(JUnitXML.relative(file, root: workspace))) }
                if let line = failure.line { properties.append("line=\(line)") }
                properties.append("title=" + escapedProperty(title))
                lines.append("::error \(properties.joined(separator: ","))::\(escapedData(failure.message))")
            }
        }
        if left > 0 {
            lines.append("::notice::\(left) more test \(left == 1 ? "failure is" : "failures are") not annotated "
                + "(GitHub shows \(limit) per step); the log and the JUnit report have them all")
        }
        return lines
    }

    /// A workflow command's message, escaped as the actions toolkit's `escapeData` does.
    public static func escapedData(_ text: String) -> String {
        escaped(text, ["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    /// A workflow command's property value, escaped as the actions toolkit's `escapeProperty` does.
    public static func escapedProperty(_ text: String) -> String {
        escaped(text, ["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }

    /// `text` with each scalar in `table` replaced (by scalar: CR LF is one Character, two scalars here).
    private static func escaped(_ text: String, _ table: [Unicode.Scalar: String]) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if let replacement = table[scalar] { result += replacement } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    /// The Markdown the run appends to `$GITHUB_STEP_SUMMARY`: a row per target and the tally.
    public static func stepSummary(_ reports: [TargetReport]) -> String {
        var text = "### swift-testcache\n\n| Target | Result | Time |\n| --- | --- | --- |\n"
        for report in reports {
            let result: String
            switch report.outcome {
            case .passed: result = report.cached ? "ok (cached)" : "ok"
            case .failed: result = "**FAIL**"
            case .flaky: result = "FLAKY"
            case .noTestsToRun: result = report.cached ? "no tests to run (cached)" : "no tests to run"
            case .noTestFiles: result = "no test files"
            case .buildFailed: result = "**FAIL** (build failed)"
            case .setupFailed: result = "**FAIL** (setup failed)"
            }
            let time = report.duration.map { report.cached ? "\(RunTally.describe(seconds: $0)) saved" : RunTally.describe(seconds: $0) } ?? ""
            text += "| `\(escaped(report.name, ["|": "\\|"]))` | \(result) | \(time) |\n"
        }
        return text + "\n**" + RunTally(reports).description + "**\n"
    }
}
