import TestCacheStore

/// What an option of a test run means for the cache.
public enum CacheRole: Sendable {
    /// A result may be replayed under it, and only under the same value: it is part of the key.
    case keyed
    /// A result may be replayed under any value: it changes how tests run, not what they report.
    case replayable
    /// Given at all, it runs the tests without the cache.
    case disablesCache
    /// It changes nothing the cache cares about.
    case none
}

/// Every option of a test run with its help and its meaning for the cache: the one list from which the
/// help screen, the check that turns the cache off, the key and `explain` are all derived.
///
/// The cases' order is the order their fields enter a key, and the order the reasons to disable the cache
/// are looked for: changing it changes every key.
public enum TestOption: String, CaseIterable, Sendable {
    case filter = "--filter"
    case skip = "--skip"
    case verbose = "-v"
    case list = "--list"
    case timeout = "--timeout"
    case jobs = "--jobs"
    case noCache = "--no-cache"
    case count = "--count"
    case passthrough = "arguments after --"
    case exec = "--exec"
    case printCommands = "-x"
    case verify = "--verify"
    case retries = "--retries"
    case flakyResult = "--flaky-result"
    case rerunFailed = "--rerun-failed"
    case partition = "--partition"
    case json = "--json"
    case junitXML = "--junit-xml"
    case noAnnotations = "--no-annotations"
    case xctest = "--enable-xctest"
    case swiftTesting = "--enable-swift-testing"
    case coverageOutput = "--coverage-output"

    /// What the option means for the cache.
    public var role: CacheRole {
        switch self {
        case .filter, .skip, .verbose, .list, .timeout, .xctest, .swiftTesting: .keyed
        case .jobs, .retries: .replayable
        case .noCache, .count, .passthrough, .exec: .disablesCache
        case .printCommands, .verify, .partition, .json, .junitXML, .noAnnotations, .coverageOutput, .flakyResult, .rerunFailed: .none
        }
    }

    /// The option's help line, ending with what it means for the cache.
    public var help: String {
        let text: String
        switch self {
        case .filter: text = "Run only tests whose ID (Module.Class/test, Module.Suite/test()) matches this regex; repeatable."
        case .skip: text = "Leave out tests whose ID matches this regex; repeatable."
        case .verbose: text = "Show the output of passing targets too."
        case .list: text = "List the selected tests instead of running them."
        case .timeout:
            text = "Stop a test process after this long: SIGTERM, then SIGKILL 5s later (e.g. 90s, 10m, 1h30m)."
        case .jobs: text = "How many test targets run at once (default: the number of cores)."
        case .noCache: return "Neither read nor write cached results."
        case .count: return "Run each target's tests N times; disables the cache (--count 1 bypasses it)."
        case .passthrough: text = "Arguments for the test binary."
        case .exec: text = "Run the test binary under this program (e.g. 'valgrind --quiet')."
        case .printCommands: return "Print each command run: swift build and every test-binary invocation."
        case .verify:
            return "Audit the cache: run every target it would replay too, and report a replayed pass whose fresh run "
                + "fails as an unsound hit (exit status 3)."
        case .retries:
            text = "Run a failing target's failed tests again up to N times; a target that then passes is FLAKY: "
                + "the run passes, and its result is not cached."
        case .flakyResult:
            return "What a FLAKY target (failed, then passed on a retry) does to the exit status: pass (the default) "
                + "or fail. Either way its result is not cached, and `swift-testcache flaky` counts it."
        case .rerunFailed:
            return "Run exactly the tests that failed in the last run of this package with these options (a target that "
                + "failed as a whole, all its tests); nothing when none failed."
        case .partition:
            return "Run only this CI job's share of the test targets: time:K/N (balanced by the durations earlier runs "
                + "stored; one plan per CI run, made by the first shard), hash:K/N (by a hash of the target's name, stable "
                + "across machines and runs) or slice:K/N (every Nth target in manifest order, from the Kth); K counts from 1."
        case .json:
            return "Print Go's test2json event stream instead of the summary lines (one JSON object a line: Time, Action, "
                + "Package, Test, Elapsed, Output), for gotestsum and the other tools that read go test -json."
        case .junitXML:
            return "Also write a JUnit XML report to this file: a testsuite per target, a testcase per test, cached ones "
                + "included; written whole when the run ends, or is interrupted."
        case .noAnnotations:
            return "Under GitHub Actions (GITHUB_ACTIONS=true), write no ::error annotations and no step summary."
        case .coverageOutput:
            return "With --enable-code-coverage, write the run's merged line coverage (every target's, the cached ones' "
                + "as stored) to this file: llvm-cov's JSON export for a .json file, an lcov tracefile otherwise."
        case .xctest: text = "Enable support for XCTest."
        case .swiftTesting: text = "Enable support for Swift Testing."
        }
        switch role {
        case .keyed, .replayable: return text + " Cacheable."
        case .disablesCache: return text.dropLast() + "; disables the cache."
        case .none: return text
        }
    }

    /// The options a cached result may be replayed under, as help prints them: `--filter, … and --jobs`.
    public static var cacheableList: String {
        let names = allCases.filter { $0.role == .keyed || $0.role == .replayable }.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// The values a keyed option adds to a key, one field each; none for the others.
    func keyValues(_ options: TestOptions) -> [String] {
        switch self {
        case .filter: options.filters
        case .skip: options.skips
        case .verbose: [String(options.verbose)]
        case .list: [String(options.list)]
        case .timeout: [String(describing: options.timeout)]
        case .xctest: [String(options.xctest)]
        case .swiftTesting: [String(options.swiftTesting)]
        case .jobs, .noCache, .count, .passthrough, .exec, .printCommands, .verify, .retries, .partition, .json, .junitXML,
            .noAnnotations, .coverageOutput, .flakyResult, .rerunFailed:
            []
        }
    }

    /// Whether the run was given this option (for the ones that disable the cache).
    func isGiven(_ options: TestOptions) -> Bool {
        switch self {
        case .noCache: options.noCache
        case .count: options.count != nil
        case .passthrough: !options.passthrough.isEmpty
        case .exec: !options.execWrapper.isEmpty
        case .filter, .skip, .verbose, .list, .timeout, .jobs, .printCommands, .verify, .retries, .partition, .json, .junitXML,
            .noAnnotations, .xctest, .swiftTesting, .coverageOutput, .flakyResult, .rerunFailed:
            false
        }
    }

    /// Adds every keyed option's values to a key, in the cases' order.
    static func addKeyed(_ options: TestOptions, to key: inout FieldHasher) {
        for option in allCases where option.role == .keyed {
            for value in option.keyValues(options) { key.update(KeyField(kind: .testOption, subject: option.rawValue), value) }
        }
    }
}
