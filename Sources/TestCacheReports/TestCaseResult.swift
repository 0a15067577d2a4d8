/// How one test came out: an XCTest method or a Swift Testing function, with what it printed and why it
/// failed. Stored with a target's result, so that a replayed target reports its tests as a fresh run does.
public struct TestCaseResult: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case passed, failed, skipped
        /// Failed, then passed when run again (`--retries`): the failures are the earlier attempts'.
        case flaky
    }

    /// The test's ID as `--filter` sees it: `Module.Class/testMethod` or `Module.Suite/test()`.
    public var id: String
    public var outcome: Outcome
    /// Seconds, as the testing library measured them.
    public var elapsed: Double
    /// What the test printed (XCTest) or what the testing library said about it (Swift Testing), whole lines.
    public var output: String
    /// Why it failed (or, when flaky, why it failed before passing), first to last.
    public var failures: [TestFailure]
    /// Why it was skipped, when it was and the library said.
    public var skipReason: String?
    /// Replayed from a result cached for this test alone, not run now; nil (not stored) when it ran.
    public var cached: Bool?
    /// Quarantined by the package's settings: a failure of it does not fail the run. Nil when not.
    public var quarantined: Bool?

    /// It failed, and that fails its target: it is not quarantined.
    public var failsTheRun: Bool { outcome == .failed && quarantined != true }

    /// It failed, and is quarantined: reported, and the run passes.
    public var failedInQuarantine: Bool { outcome == .failed && quarantined == true }

    public init(
        id: String, outcome: Outcome, elapsed: Double = 0, output: String = "", failures: [TestFailure] = [], skipReason: String? = nil
    ) {
        self.id = id
        self.outcome = outcome
        self.elapsed = elapsed
        self.output = output
        self.failures = failures
        self.skipReason = skipReason
    }

    /// The part of the ID before the test's own name: `Module.Class` or `Module.Suite`, or the module for a
    /// free Swift Testing function. JUnit's `classname`.
    public var className: String {
        if let slash = id.lastIndex(of: "/") { return String(id[..<slash]) }
        return String(id.prefix { $0 != "." })
    }

    /// The test's own name: `testMethod` or `test()`. JUnit's `name`.
    public var name: String {
        if let slash = id.lastIndex(of: "/") { return String(id[id.index(after: slash)...]) }
        guard let dot = id.firstIndex(of: ".") else { return id }
        return String(id[id.index(after: dot)...])
    }
}

extension TestCaseResult {
    /// `results` with each ID once, at its first place: a test one process ran more than once (a package's
    /// own entry point can list it twice) is one result, failed if any of its runs failed, passed if none
    /// failed and one passed, skipped only if every run was; its times added, its output and failures
    /// each run's in turn. One ID is one cached result, so a pass must stand for every run of it.
    public static func mergingRepeats(_ results: [TestCaseResult]) -> [TestCaseResult] {
        var merged: [TestCaseResult] = []
        var place: [String: Int] = [:]
        for result in results {
            guard let index = place[result.id] else {
                place[result.id] = merged.count
                merged.append(result)
                continue
            }
            var first = merged[index]
            let outcomes = [first.outcome, result.outcome]
            first.outcome = outcomes.contains(.failed) ? .failed : outcomes.contains(.flaky) ? .flaky
                : outcomes.contains(.passed) ? .passed : .skipped
            first.elapsed += result.elapsed
            first.output += result.output
            first.failures += result.failures
            first.skipReason = first.outcome == .skipped ? first.skipReason ?? result.skipReason : nil
            merged[index] = first
        }
        return merged
    }
}

/// One failed assertion or recorded issue, with where it happened when the library said.
public struct TestFailure: Codable, Sendable, Equatable {
    public var message: String
    /// The source file as the library named it (an absolute path, usually).
    public var file: String?
    public var line: Int?

    public init(message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }
}

/// One test target's outcome as the reports show it: run now or replayed from the cache.
public struct TargetReport: Sendable, Equatable {
    public var name: String
    public var outcome: TargetStatus
    /// Replayed from the cache rather than run.
    public var cached: Bool
    /// Seconds it ran; for a cached target, how long its stored run took.
    public var duration: Double?
    /// Its whole output, both testing libraries' processes, as the console shows it.
    public var output: String
    /// The Go-style summary line the console prints for it, without the newline.
    public var summaryLine: String
    /// Its tests in the order they finished, XCTest's first.
    public var tests: [TestCaseResult]
    /// Its line coverage, with `--enable-code-coverage`.
    public var coverage: TargetCoverage?

    /// It failed, and no test of it did: its process crashed outside any test, or it did not build.
    public var failedOutsideTests: Bool {
        outcome.isFailure && !tests.contains { $0.failsTheRun }
    }

    /// How many of its tests failed in quarantine.
    public var quarantinedFailures: Int {
        tests.count(where: \.failedInQuarantine)
    }

    public init(
        name: String, outcome: TargetStatus, cached: Bool = false, duration: Double? = nil, output: String = "", summaryLine: String,
        tests: [TestCaseResult] = [], coverage: TargetCoverage? = nil
    ) {
        self.coverage = coverage
        self.name = name
        self.outcome = outcome
        self.cached = cached
        self.duration = duration
        self.output = output
        self.summaryLine = summaryLine
        self.tests = tests
    }
}
