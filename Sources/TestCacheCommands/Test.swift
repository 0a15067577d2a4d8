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
                every cached result. \(EnvironmentVariable.debug)=test says, per target, why it was or was not \
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
        ///
        /// - Parameters:
        ///   - warnsUntraced: whether to say that reads are not traced here (a watch session says it once).
        ///   - isolatesProcessGroups: each child in a process group of its own (``CommandRunner/isolatesProcessGroups``).
        static func engine(
            locations: LocationOptionsGroup, build: BuildOptionsGroup, traits: TraitOptionsGroup, test: TestOptionsGroup,
            targets: [String], binaryArguments: [String], remote: RemoteCacheOptionsGroup? = nil, warnsUntraced: Bool = true,
            isolatesProcessGroups: Bool = false, objects: ObjectMemory? = nil
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
            configuration.debug = DebugOptions(parsing: environment[EnvironmentVariable.debug])
            configuration.outputIsTerminal = isatty(STDOUT_FILENO) != 0
            configuration.progressIsTerminal = isatty(STDERR_FILENO) != 0
            configuration.tracer = Self.locateTracer()
            if warnsUntraced && configuration.tracer == nil && configuration.test.cacheDisabledReason == nil {
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
                services: .system(
                    temporaryDirectory: NSTemporaryDirectory(), sharedCache: sharedCache, isolatesProcessGroups: isolatesProcessGroups,
                    objects: objects ?? objectMemory(store: store))
            )
        }

        /// What objects read as, kept in `store` for the next run under this tool's build ID (the link
        /// Linux gives every process to its own executable).
        static func objectMemory(store: ResultStore) -> ObjectMemory {
            ObjectMemory(store: store, executable: "/proc/self/exe", salt: KeySalt(toolVersion: SwiftTestCache.version))
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
            } catch let error as TestCacheError {
                throw failing(error)
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
