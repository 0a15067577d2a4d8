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
        // Failures in quarantine are warnings: shown on the diff, failing nothing; GitHub shows 10 of those too.
        var warnings: [String] = []
        var warningsLeft = 0
        for report in reports {
            for test in report.tests where test.failedInQuarantine {
                for failure in test.failures.isEmpty ? [TestFailure(message: "failed")] : test.failures {
                    guard warnings.count < limit else {
                        warningsLeft += 1
                        continue
                    }
                    warnings.append("::warning " + properties(failure, title: "\(report.name): \(test.id) (quarantined)", workspace: workspace)
                        + "::" + escapedData(failure.message))
                }
            }
        }
        for report in reports {
            var failures: [(title: String, failure: TestFailure)] = []
            for test in report.tests where test.failsTheRun {
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
                lines.append("::error \(properties(failure, title: title, workspace: workspace))::\(escapedData(failure.message))")
            }
        }
        if left > 0 {
            lines.append("::notice::\(left) more test \(left == 1 ? "failure is" : "failures are") not annotated "
                + "(GitHub shows \(limit) per step); the log and the JUnit report have them all")
        }
        if warningsLeft > 0 {
            warnings.append("::notice::\(warningsLeft) more quarantined test \(warningsLeft == 1 ? "failure is" : "failures are") not annotated")
        }
        return lines + warnings
    }

    /// A failure's annotation properties: `file=…,line=…,title=…`.
    private static func properties(_ failure: TestFailure, title: String, workspace: String?) -> String {
        var properties: [String] = []
        if let file = failure.file { properties.append("file=" + escapedProperty(JUnitXML.relative(file, root: workspace))) }
        if let line = failure.line { properties.append("line=\(line)") }
        properties.append("title=" + escapedProperty(title))
        return properties.joined(separator: ",")
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
        var text = "### swift-testcache\n\n| Target | Result | Tests | Time |\n| --- | --- | --- | --- |\n"
        for report in reports {
            var result: String
            switch report.outcome {
            case .passed: result = report.cached ? "ok (cached)" : "ok"
            case .failed: result = "**FAIL**"
            case .flaky: result = "FLAKY"
            case .noTestsToRun: result = report.cached ? "no tests to run (cached)" : "no tests to run"
            case .noTestFiles: result = "no test files"
            case .buildFailed: result = "**FAIL** (build failed)"
            case .setupFailed: result = "**FAIL** (setup failed)"
            }
            let quarantined = report.quarantinedFailures
            if quarantined > 0 { result += " (\(quarantined) quarantined failed)" }
            let tally = RunTally([report])
            var time = report.duration.map { report.cached ? "\(RunTally.describe(seconds: $0)) saved" : RunTally.describe(seconds: $0) } ?? ""
            if !report.cached && tally.saved > 0 { time += ", \(RunTally.describe(seconds: tally.saved)) saved" }
            let tests = tally.tests == 0 ? "" : "\(tally.testsRan) ran, \(tally.testsCached) cached"
            text += "| `\(escaped(report.name, ["|": "\\|"]))` | \(result) | \(tests) | \(time) |\n"
        }
        return text + "\n**" + RunTally(reports).description + "**\n"
    }
}
