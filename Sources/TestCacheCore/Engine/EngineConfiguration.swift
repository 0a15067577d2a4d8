import Foundation
public import TestCacheReports
public import TestCacheStore

/// Options that change what is built; every one of them is part of every key. ``BuildOption`` says how
/// each reaches the build and the keys.
public struct BuildOptions: Sendable, Hashable {
    /// `debug` or `release`.
    public var configuration = "debug"
    public var swiftcFlags: [String] = []
    public var ccFlags: [String] = []
    public var linkerFlags: [String] = []
    public var cxxFlags: [String] = []
    /// SwiftPM's build directory as the user gave it, or nil for `<package>/.build`.
    public var scratchPath: String?
    public var triple: String?
    public var sdk: String?
    public var toolchain: String?
    public var swiftSDK: String?
    /// `--sanitize` values, in the order given.
    public var sanitizers: [String] = []
    /// `--traits` values (`defaults` among them keeps the default traits).
    public var traits: [String] = []
    public var enableAllTraits = false
    public var disableDefaultTraits = false
    /// `--enable-testable-imports` (true) or `--disable-testable-imports` (false); nil for SwiftPM's default.
    public var testableImports: Bool?
    /// Build instrumented, and measure each target's line coverage.
    public var codeCoverage = false
    /// `--build-system`; nil for the toolchain's default, which the run resolves before keying.
    public var buildSystem: BuildSystem?

    public init() {}

    /// The arguments `swift build` gets for these options.
    var swiftBuildArguments: [String] {
        BuildOption.allCases.flatMap { $0.arguments(self) }
    }

    /// The arguments `swift package` gets: the options that change what the package holds.
    var packageArguments: [String] {
        BuildOption.allCases.filter(\.shapesThePackage).flatMap { $0.arguments(self) }
    }
}

/// Options of the test run itself.
public struct TestOptions: Sendable {
    /// Regular expressions selecting tests by ID (`Module.Class/test`, `Module.Suite/test()`); any may match.
    public var filters: [String] = []
    /// Regular expressions of tests to leave out, applied after the filters.
    public var skips: [String] = []
    /// Show the output of passing targets too.
    public var verbose = false
    /// List the selected tests instead of running them.
    public var list = false
    /// How many targets run at once: by default one per core, since a test process mostly computes.
    public var jobs = TestOptions.defaultJobs

    /// One target per core: the one definition of `--jobs`' default, which help names in words.
    public static var defaultJobs: Int { ProcessInfo.processInfo.activeProcessorCount }
    /// How long one test process may run before it is stopped (SIGTERM, then SIGKILL).
    public var timeout: Duration = TestOptions.defaultTimeout
    /// Run each target this many times; any value disables the cache.
    public var count: Int?
    /// Never read or write the cache.
    public var noCache = false
    /// Arguments for the test binary (after `--`); any disables the cache.
    public var passthrough: [String] = []
    /// A program to run the test binary under (valgrind, time…); disables the cache.
    public var execWrapper: [String] = []
    /// Print each command run (`-x`).
    public var printCommands = false
    /// Run every target the cache would replay too, and report a replayed pass whose fresh run fails.
    public var verify = false
    /// How many times a failing target's failed tests run again; a pass on a retry is flaky, not cached.
    public var retries = 0
    /// Whether a FLAKY target fails the run (`--flaky-result fail`).
    public var flakyFails = false
    /// Run exactly the tests the last run of this package and options left failing.
    public var rerunFailed = false
    /// Under `--rerun-failed`, the options the failures are recorded under: those the user gave, not the
    /// rerun's own selection. Nil for every other run, which records under its own.
    var failureScope: String?
    /// This CI job's share of the targets, or nil for all.
    public var partition: TargetPartition?
    /// Whether XCTest's tests run (`--disable-xctest` turns them off).
    public var xctest = true
    /// Whether Swift Testing's tests run (`--disable-swift-testing` turns them off).
    public var swiftTesting = true

    public init() {}

    /// The default of ``timeout``: 10 minutes, Go's default, far beyond a healthy suite and short enough
    /// that a hung CI job fails within its slot.
    public static let defaultTimeout: Duration = .seconds(600)

    /// Why these options make results uncacheable (the first option given that disables the cache), or
    /// nil when they are all cacheable. ``TestOption`` says which do.
    public var cacheDisabledReason: String? {
        TestOption.allCases.first { $0.role == .disablesCache && $0.isGiven(self) }?.rawValue
    }
}

/// Where the engine's output goes; the command layer connects it to the terminal, tests to buffers.
public struct EngineOutput: Sendable {
    /// Summary lines and test output.
    public var standardOutput: @Sendable (String) -> Void
    /// Diagnostics, `-x` commands and debug traces.
    public var standardError: @Sendable (String) -> Void
    /// Whether the summary lines and failing output are printed to ``standardOutput``; false when a
    /// machine-readable stream (`--json`) takes its place.
    public var printsLines = true
    /// What receives each target's report in the summary lines' order, and the end of the run.
    public var observers: [any RunObserver] = []

    public init(
        standardOutput: @escaping @Sendable (String) -> Void, standardError: @escaping @Sendable (String) -> Void
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Everything one `swift-testcache test` run needs, chosen by the command layer.
public struct EngineConfiguration: Sendable {
    /// The package's root directory, absolute.
    public var packagePath: String
    /// The test targets asked for, or empty for all.
    public var targets: [String] = []
    public var build = BuildOptions()
    public var test = TestOptions()
    /// The environment the build and the tests run in.
    public var environment: [String: String]
    public var debug = DebugOptions()
    /// The tool version and store format every key is salted with.
    public var salt: KeySalt
    /// Whether standard output is a terminal (SwiftPM sets NO_COLOR=1 for tests when it is not).
    public var outputIsTerminal = false
    /// Whether standard error is a terminal: progress is shown there only then.
    public var progressIsTerminal = false
    /// Whether the run ends with its tally even when standard error is not a terminal: `watch`'s screen
    /// always shows it.
    public var alwaysTallies = false
    /// The read tracer (libTestCacheTrace.so), preloaded into test processes so that the files and
    /// variables a run consulted become part of its result's key; nil where it cannot be used.
    public var tracer: String?

    public init(packagePath: String, environment: [String: String], salt: KeySalt) {
        self.packagePath = packagePath
        self.environment = environment
        self.salt = salt
    }
}

extension BuildOptions {
    /// The scratch directory the build uses for a package at `root`: `--scratch-path`, or SwiftPM's
    /// default, `.build` in the package (the one place that default is written).
    func scratchDirectory(root: String) -> String {
        scratchPath ?? root + "/.build"
    }
}
