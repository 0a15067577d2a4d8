import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheRemote
import TestCacheReports
import TestCacheStore

extension SwiftTestCache {
    /// `swift-testcache [test]`: run a package's tests per target, replaying unchanged passing results.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build and run a package's tests per test target, replaying cached results.",
            usage: "swift-testcache [test] [<options>] [<targets> ...] [-- <test-binary-arguments> ...]",
            discussion: """
                Each test target's result is printed on one line, in the order the manifest declares them, while targets \
                run in parallel: "ok", "FAIL", "?" for a target without tests. A failing target's output \
                (stdout and stderr merged) is printed above its line; -v prints it for passing targets too.

                Test results are cached. When a test target's inputs have not changed since it last \
                passed (its files and those of every target it depends on, the manifests, \
                Package.resolved, the toolchain, the build options and the cacheable test options), \
                swift-testcache prints its stored output with "(cached)" in place of the time instead of \
                building and running it again; when every selected target is cached, nothing is built. \
                Only passing results are cached. The cacheable test options are \(TestOption.cacheableList); \
                any other (--count, --no-cache, --exec, or arguments after --) runs the tests without the \
                cache, and --count 1 is the idiomatic way to bypass it. 'swift-testcache clean' expires \
                every cached result. SWIFT_TESTCACHE_DEBUG=test says, per target, why it was or was not \
                taken from the cache.

                What tests read at run time is an input too (Linux): a tracer preloaded into the test \
                processes and their children records the files they open, stat or list, the programs they \
                run and the environment variables they read, and a cached result is replayed only while \
                those still hash the same (files by content, directories by their entry names, variables by \
                value, an executable or library the package builds by its targets' sources; reading \
                ProcessInfo's environment, or starting a process with Foundation's Process, makes every \
                variable an input). Ignored, as Go ignores them: files outside the package root (the \
                toolchain, /proc, /sys, /dev, temporary files), the rest of .build, .swiftpm and .git, files \
                the test wrote itself, the variables every test process reads whatever its tests do \
                (measured once per toolchain), and variables that only tell one shell from another (PWD, \
                SHLVL, _, TERM…). A result whose input files changed while it ran is not cached.

                A package declares more in \(PackageSettings.fileName) at its root, for all targets or per \
                target: "inputs" (files, directories or globs), "environment" {"include", "ignore"} (variable \
                names or patterns), and "cache": false for tests that talk to the network. \
                'swift-testcache explain' says why a target would not be replayed.
                """
        )

        // Grouped and worded as `swift test --help` groups them; the test options are its OPTIONS.
        @OptionGroup(title: "Paths & Locations")
        var locations: LocationOptionsGroup

        @OptionGroup(title: "Build Options")
        var build: BuildOptionsGroup

        @OptionGroup(title: "Trait Options")
        var traits: TraitOptionsGroup

        @OptionGroup
        var test: TestOptionsGroup

        @OptionGroup(title: "Remote Cache Options")
        var remote: RemoteCacheOptionsGroup

        @Argument(help: "Test targets to run (default: every test target of the package).")
        var targets: [String] = []

        /// The arguments after `--`, which ``SwiftTestCache/main()`` passes here one by one.
        @Option(name: .customLong(Test.binaryArgumentOption), help: .hidden)
        var binaryArguments: [String] = []

        /// Why what tests read is not traced here, said once per run when caching is on.
        static var untracedWarning: String {
            #if os(Linux)
            "libTestCacheTrace.so is not beside swift-testcache, so what tests read outside their targets (files, "
                + "variables) is not part of their keys; build it with `swift build -c release`"
            #else
            "what tests read at run time is not traced on this system (the tracer is Linux-only for now), so only the "
                + "inputs declared in \(PackageSettings.fileName) join the keys of what tests read outside their targets"
            #endif
        }

        /// The read tracer built beside this executable, where this platform can preload it: Linux.
        static func locateTracer() -> String? {
            #if os(Linux)
            guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
                return nil
            }
            let library = URL(fileURLWithPath: executable).deletingLastPathComponent()
                .appendingPathComponent("libTestCacheTrace.so").path
            return FileManager.default.isReadableFile(atPath: library) ? library : nil
            #else
            return nil
            #endif
        }

        /// The hidden option that carries the arguments after `--` past ArgumentParser, which allows only one
        /// array of positional arguments (the targets).
        static let binaryArgumentOption = "binary-argument"

        func run() async throws {
            let engine = try Self.engine(
                locations: locations, build: build, traits: traits, test: test, targets: targets, binaryArguments: binaryArguments,
                remote: remote)
            try await Self.reportingErrors { try await engine.run() }
        }

        /// The engine for a run with these options, in this process's environment and directory.
        static func engine(
            locations: LocationOptionsGroup, build: BuildOptionsGroup, traits: TraitOptionsGroup, test: TestOptionsGroup,
            targets: [String], binaryArguments: [String], remote: RemoteCacheOptionsGroup? = nil
        ) throws -> TestEngine {
            let environment = ProcessInfo.processInfo.environment
            let store = try CommandContext(environment: environment).openStore()
            let workingDirectory = FileManager.default.currentDirectoryPath
            var configuration = EngineConfiguration(
                packagePath: absolute(locations.packagePath ?? ".", from: workingDirectory),
                environment: environment,
                salt: KeySalt(toolVersion: SwiftTestCache.version)
            )
            configuration.targets = targets
            configuration.build = build.options(workingDirectory: workingDirectory, locations: locations, traits: traits, test: test)
            configuration.test = try test.options()
            configuration.test.passthrough = binaryArguments
            configuration.debug = DebugOptions(parsing: environment["SWIFT_TESTCACHE_DEBUG"])
            configuration.outputIsTerminal = isatty(STDOUT_FILENO) != 0
            configuration.progressIsTerminal = isatty(STDERR_FILENO) != 0
            configuration.tracer = Self.locateTracer()
            if configuration.tracer == nil && configuration.test.cacheDisabledReason == nil {
                printWarning(Self.untracedWarning)
            }
            var sharedCache: (any SharedCache)?
            if configuration.test.cacheDisabledReason == nil, let remote {
                sharedCache = try remote.cache(environment: environment).map(RemoteSharedCache.init)
            }
            var output = EngineOutput(
                standardOutput: { FileHandle.standardOutput.write(Data($0.utf8)) },
                standardError: { FileHandle.standardError.write(Data($0.utf8)) }
            )
            output.observers = reportObservers(test, packagePath: configuration.packagePath, environment: environment, output: output)
            output.printsLines = !test.json
            return TestEngine(
                configuration: configuration,
                store: store,
                output: output,
                services: .system(temporaryDirectory: NSTemporaryDirectory(), sharedCache: sharedCache)
            )
        }

        /// The machine-readable reports these options and the environment ask for: the test2json stream
        /// on standard output, the JUnit file, and under GitHub Actions its annotations (on standard output,
        /// or standard error when it carries JSON) and step summary.
        static func reportObservers(
            _ test: TestOptionsGroup, packagePath: String, environment: [String: String], output: EngineOutput
        ) -> [any RunObserver] {
            var observers: [any RunObserver] = []
            if test.json {
                observers.append(JSONEventObserver(write: output.standardOutput, clock: StoreConfiguration.systemClock))
            }
            if let path = test.coverageOutput {
                let absolutePath = absolute(path, from: FileManager.default.currentDirectoryPath)
                observers.append(CoverageObserver(path: absolutePath, warn: { printWarning($0) }))
            }
            if let path = test.junitXml {
                let absolutePath = absolute(path, from: FileManager.default.currentDirectoryPath)
                observers.append(JUnitObserver(path: absolutePath, root: packagePath, warn: { printWarning($0) }))
            }
            if environment["GITHUB_ACTIONS"] == "true" && !test.noAnnotations {
                observers.append(GitHubActionsObserver(
                    workspace: environment["GITHUB_WORKSPACE"], stepSummaryPath: environment["GITHUB_STEP_SUMMARY"],
                    write: test.json ? output.standardError : output.standardOutput, warn: { printWarning($0) }))
            }
            return observers
        }

        /// Runs an engine command, exiting with its status: 2 with a one-line message for bad input.
        static func reportingErrors(_ body: () async throws -> Int32) async throws {
            let status: Int32
            do {
                status = try await body()
            } catch let error as EngineError {
                printError(error.message)
                throw ExitCode(2)
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// `swift-testcache explain`: why each target would or would not be replayed by the next run.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say, per test target, whether the next run would replay its result, and if not what changed.",
            discussion: """
                Takes the options of 'swift-testcache test', since they are part of the keys, and builds and \
                runs nothing. For each selected test target it prints "cached", or what changed since its \
                result was last stored from this checkout: a source or data file, a file of a dependency, a \
                manifest, Package.resolved, the toolchain, a build or test option, a file, directory or product \
                its tests used, a variable they read, or a declaration in \(PackageSettings.fileName). When only \
                what is built changed, the next run builds, and may still replay the result if what is built for \
                the target is unchanged (a comment edit). It consults the local store only, never a remote cache.
                """
        )

        @OptionGroup(title: "Paths & Locations")
        var locations: LocationOptionsGroup

        @OptionGroup(title: "Build Options")
        var build: BuildOptionsGroup

        @OptionGroup(title: "Trait Options")
        var traits: TraitOptionsGroup

        @OptionGroup
        var test: TestOptionsGroup

        @Argument(help: "Test targets to explain (default: every test target of the package).")
        var targets: [String] = []

        func run() async throws {
            let engine = try Test.engine(
                locations: locations, build: build, traits: traits, test: test, targets: targets, binaryArguments: [])
            try await Test.reportingErrors { try await engine.explain() }
        }
    }
}

/// The engine's shared cache, served over Bazel's HTTP remote-cache protocol.
struct RemoteSharedCache: SharedCache {
    let remote: RemoteCache

    func fetch(_ keys: [ActionID], into store: ResultStore) async { await remote.fetch(keys, into: store) }
    func upload(_ key: ActionID, _ bytes: [UInt8]) { remote.upload(key, bytes) }
    func flush() async { await remote.flush() }

    var summary: String {
        let counters = remote.counters
        return "\(counters.hits) hits, \(counters.misses) misses, \(counters.uploads) uploads, \(counters.bytesDown) bytes down, "
            + "\(counters.bytesUp) bytes up, \(counters.failures) failures"
    }
}

/// Where the shared cache is; none of these changes a result or is part of a key.
struct RemoteCacheOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also look results up in, and upload new ones to, this cache speaking Bazel's HTTP remote-cache protocol (http:// or https://; user:password@ for Basic auth).",
        discussion: "Default: $SWIFT_TESTCACHE_REMOTE_CACHE.", valueName: "url"))
    var remoteCache: String?

    @Option(help: ArgumentHelp(
        "A header for every request to the remote cache, such as 'Authorization: Bearer TOKEN'; repeatable.",
        discussion: "Default: $SWIFT_TESTCACHE_REMOTE_HEADER (one header).", valueName: "header"))
    var remoteCacheHeader: [String] = []

    @Flag(help: "Look results up in the remote cache but upload none (pull requests read, main writes).")
    var remoteCacheReadOnly = false

    /// The remote cache these options and the environment name, or nil; a bad URL, header, key or
    /// timeout is a one-line error (exit 2).
    func cache(environment: [String: String]) throws -> RemoteCache? {
        guard let url = remoteCache ?? environment["SWIFT_TESTCACHE_REMOTE_CACHE"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return nil
        }
        do throws(RemoteCacheError) {
            var configuration = try RemoteCacheConfiguration(url: url)
            configuration.headers = remoteCacheHeader.isEmpty
                ? environment["SWIFT_TESTCACHE_REMOTE_HEADER"].map { [$0] } ?? [] : remoteCacheHeader
            for header in configuration.headers where !header.contains(":") || header.contains("\n") || header.contains("\r") {
                throw RemoteCacheError("a remote cache header must be one 'Name: value' line, not '\(header)'")
            }
            configuration.readOnly = remoteCacheReadOnly || ["1", "true", "yes"].contains(environment["SWIFT_TESTCACHE_REMOTE_READ_ONLY"] ?? "")
            if let key = environment["SWIFT_TESTCACHE_REMOTE_KEY"] {
                guard !key.isEmpty else { throw RemoteCacheError("SWIFT_TESTCACHE_REMOTE_KEY is set but empty") }
                configuration.signingKey = Array(key.utf8)
            }
            if let timeout = environment["SWIFT_TESTCACHE_REMOTE_TIMEOUT"] {
                guard let duration = parseGoDuration(timeout) else {
                    throw RemoteCacheError("SWIFT_TESTCACHE_REMOTE_TIMEOUT takes a duration such as 5s, not '\(timeout)'")
                }
                configuration.connectTimeout = min(configuration.connectTimeout, duration)
                configuration.requestTimeout = duration
                configuration.flushTimeout = duration
            }
            return RemoteCache(configuration, warn: { printWarning($0) })
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
    }
}

/// Where the package and its build are, with SwiftPM's names; the scratch path is part of every key.
struct LocationOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Specify the package path to operate on (default current directory).")
    var packagePath: String?

    @Option(name: .long, help: ArgumentHelp(BuildOption.scratchPath.help))
    var scratchPath: String?
}

/// Options that change what is built, with SwiftPM's names and help; every one is part of every cache key.
struct BuildOptionsGroup: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp(BuildOption.configuration.help))
    var configuration: BuildConfiguration = .debug

    @Option(name: .customLong("Xcc", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.ccFlags.help))
    var ccFlags: [String] = []

    @Option(name: .customLong("Xswiftc", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.swiftcFlags.help))
    var swiftcFlags: [String] = []

    @Option(name: .customLong("Xlinker", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.linkerFlags.help))
    var linkerFlags: [String] = []

    @Option(name: .customLong("Xcxx", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.cxxFlags.help))
    var cxxFlags: [String] = []

    @Option(help: ArgumentHelp(BuildOption.triple.help))
    var triple: String?

    @Option(help: ArgumentHelp(BuildOption.sdk.help))
    var sdk: String?

    @Option(help: ArgumentHelp(BuildOption.toolchain.help))
    var toolchain: String?

    @Option(name: .customLong("swift-sdk"), help: ArgumentHelp(BuildOption.swiftSDK.help))
    var swiftSDK: String?

    @Option(help: ArgumentHelp(BuildOption.sanitize.help))
    var sanitize: [String] = []

    @Option(help: ArgumentHelp(BuildOption.buildSystem.help))
    var buildSystem: BuildSystemArgument?

    func validate() throws {
        for value in sanitize where !BuildOption.sanitizers.contains(value) {
            throw ValidationError("--sanitize takes \(BuildOption.sanitizers.joined(separator: ", ")), not '\(value)'")
        }
    }

    func options(
        workingDirectory: String, locations: LocationOptionsGroup, traits: TraitOptionsGroup, test: TestOptionsGroup
    ) -> BuildOptions {
        var options = BuildOptions()
        options.configuration = configuration.rawValue
        options.swiftcFlags = swiftcFlags
        options.ccFlags = ccFlags
        options.linkerFlags = linkerFlags
        options.cxxFlags = cxxFlags
        options.triple = triple
        options.sdk = sdk.map { absolute($0, from: workingDirectory) }
        options.toolchain = toolchain.map { absolute($0, from: workingDirectory) }
        options.swiftSDK = swiftSDK
        options.sanitizers = sanitize
        options.buildSystem = buildSystem?.system
        options.testableImports = test.testableImports
        options.codeCoverage = test.codeCoverage
        options.scratchPath = locations.scratchPath.map { absolute($0, from: workingDirectory) }
        options.traits = traits.traits.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        options.enableAllTraits = traits.enableAllTraits
        options.disableDefaultTraits = traits.disableDefaultTraits
        return options
    }
}

/// The package traits to build with, as SwiftPM takes them; part of every key.
struct TraitOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(BuildOption.traits.help))
    var traits: String?

    @Flag(help: ArgumentHelp(BuildOption.enableAllTraits.help))
    var enableAllTraits = false

    @Flag(help: ArgumentHelp(BuildOption.disableDefaultTraits.help))
    var disableDefaultTraits = false
}

/// A `--build-system` value: one of ``BuildSystem``'s.
struct BuildSystemArgument: ExpressibleByArgument {
    let system: BuildSystem

    init?(argument: String) {
        guard let system = BuildSystem(rawValue: argument) else { return nil }
        self.system = system
    }

    static var allValueStrings: [String] { BuildSystem.allCases.map(\.rawValue) }
}

enum BuildConfiguration: String, ExpressibleByArgument, CaseIterable {
    case debug, release
}

/// Options of the test run; their help and what each means for the cache come from ``TestOption``.
struct TestOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(TestOption.filter.help))
    var filter: [String] = []

    @Option(help: ArgumentHelp(TestOption.skip.help))
    var skip: [String] = []

    @Flag(name: [.short, .long], help: ArgumentHelp(TestOption.verbose.help))
    var verbose = false

    @Flag(help: ArgumentHelp(TestOption.list.help))
    var list = false

    @Option(name: [.short, .long], help: ArgumentHelp(TestOption.jobs.help))
    var jobs: Int?

    @Option(help: ArgumentHelp(TestOption.timeout.help))
    var timeout: String = goDuration(TestOptions.defaultTimeout)

    @Option(help: ArgumentHelp(TestOption.count.help))
    var count: Int?

    @Flag(help: ArgumentHelp(TestOption.noCache.help))
    var noCache = false

    @Flag(name: .customShort("x"), help: ArgumentHelp(TestOption.printCommands.help))
    var printCommands = false

    @Flag(help: ArgumentHelp(TestOption.verify.help))
    var verify = false

    @Option(help: ArgumentHelp(TestOption.exec.help))
    var exec: String?

    @Option(help: ArgumentHelp(TestOption.retries.help, valueName: "n"))
    var retries: Int = 0

    @Option(help: ArgumentHelp(TestOption.partition.help, valueName: "kind:K/N"))
    var partition: String?

    @Flag(help: ArgumentHelp(TestOption.json.help))
    var json = false

    @Option(help: ArgumentHelp(TestOption.junitXML.help, valueName: "file"))
    var junitXml: String?

    @Flag(help: ArgumentHelp(TestOption.noAnnotations.help))
    var noAnnotations = false

    @Option(help: ArgumentHelp(TestOption.coverageOutput.help, valueName: "file"))
    var coverageOutput: String?

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(TestOption.xctest.help))
    var xctest = true

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(TestOption.swiftTesting.help))
    var swiftTesting = true

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(BuildOption.testableImports.help))
    var testableImports: Bool?

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(BuildOption.codeCoverage.help))
    var codeCoverage = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        guard parseGoDuration(timeout) != nil else {
            throw ValidationError("--timeout takes a duration such as 90s, 10m or 1h30m, not '\(timeout)'")
        }
        guard retries >= 0 else { throw ValidationError("--retries must be at least 0") }
        if let partition {
            do { _ = try TargetPartition(parsing: partition) } catch { throw ValidationError(error.message) }
        }
        for (option, path) in [(TestOption.junitXML, junitXml), (.coverageOutput, coverageOutput)] {
            if let path, let problem = JUnitObserver.problem(writing: path, for: option.rawValue) { throw ValidationError(problem) }
        }
    }

    func options() throws -> TestOptions {
        var options = TestOptions()
        options.filters = filter
        options.skips = skip
        options.verbose = verbose
        options.list = list
        if let jobs { options.jobs = jobs }
        options.timeout = parseGoDuration(timeout) ?? TestOptions.defaultTimeout
        options.count = count
        options.noCache = noCache
        options.printCommands = printCommands
        options.verify = verify
        options.execWrapper = exec.map { $0.split(separator: " ").map(String.init) } ?? []
        options.retries = retries
        options.xctest = xctest
        options.swiftTesting = swiftTesting
        options.partition = try partition.map { try TargetPartition(parsing: $0) }
        return options
    }
}

/// Parses a Go-style duration: a sequence of numbers with units h, m, s, ms (`1h30m`, `90s`, `1.5s`).
func parseGoDuration(_ text: String) -> Duration? {
    var total: Double = 0
    var rest = Substring(text)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        let unit = rest.prefix { $0.isLetter }
        rest = rest.dropFirst(unit.count)
        switch unit {
        case "h": total += value * 3_600
        case "m": total += value * 60
        case "s": total += value
        case "ms": total += value / 1_000
        default: return nil
        }
    }
    return total > 0 ? .milliseconds(Int64(total * 1_000)) : nil
}

/// `path` made absolute against `base`, normalised.
func absolute(_ path: String, from base: String) -> String {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
    return url.standardizedFileURL.path
}
