import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheStore

extension SwiftTestCache {
    /// `swift-testcache watch`: run the tests, then again through the cache after every save that can
    /// change a result.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the tests, then run them again through the cache whenever a file they depend on changes.",
            usage: "swift-testcache watch [<options>] [<targets> ...] [-- <test-binary-arguments> ...]",
            discussion: """
                Takes the options of 'swift-testcache test', with their cache meaning. After each run it \
                waits for a change to anything that is an input of a selected target: its sources and those \
                of what it depends on, the manifests, Package.resolved, \(PackageSettings.fileName) and the \
                inputs it declares, and what each stored result's tests and build read (traced). While some \
                target's inputs are not known (it failed, or reads are not traced), any file of the package \
                counts. Changes under .build, .swiftpm, .git and .index-build never do. Changes within \
                \(WatchSession.defaultDebounceDescription) of each other start one run; a change during a \
                run starts one more when it ends. Only what the change affects builds and runs; the rest is \
                replayed.

                Keys (when standard input is a terminal): a runs every test target of the package, f \
                reruns only the tests that failed last, Enter runs again, q quits. Ctrl-C stops the run in \
                progress (each test process's group is stopped) and exits 130.

                Linux watches with inotify, scanning every \(FileWatcher.pollIntervalDescription) instead \
                (with a warning) when the system's inotify watches run out; other systems scan.
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

        @OptionGroup(title: "Remote Cache Options")
        var remote: RemoteCacheOptionsGroup

        @Flag(name: .customLong("no-clear"), help: "Keep each run's screen rather than clearing it before the next.")
        var noClear = false

        @Argument(help: "Test targets to run (default: every test target of the package).")
        var targets: [String] = []

        /// The arguments after `--`, as ``Test`` takes them.
        @Option(name: .customLong(Test.binaryArgumentOption), help: .hidden)
        var binaryArguments: [String] = []

        func run() async throws {
            /// What the objects of the package read as: a run reads again only those its build changed.
            // A store that cannot be opened here is the first run's error to report, not this memory's.
            let objects = (try? CommandContext(environment: ProcessInfo.processInfo.environment).openStore()).map(Test.objectMemory) ?? ObjectMemory()
            /// The engine for one run: made anew each time, so that each run's reports start empty.
            @Sendable func engine(warnsUntraced: Bool) throws -> TestEngine {
                try Test.engine(
                    locations: locations, build: build, traits: traits, test: test, targets: targets, binaryArguments: binaryArguments,
                    remote: remote, warnsUntraced: warnsUntraced, isolatesProcessGroups: true, objects: objects
                ).with { $0.alwaysTallies = true }
            }
            let first = try engine(warnsUntraced: true)
            let initial: WatchScope
            do {
                initial = try await first.watchScope()
            } catch let error as TestCacheError {
                throw failing(error)
            }
            let keys = TerminalKeys()
            let (commands, sink) = AsyncStream<WatchCommand>.makeStream()
            let signals = InterruptSignals()
            signals.start(into: sink)
            keys?.start(into: sink)
            defer { keys?.restore() }
            var session = WatchSession(
                run: { request in
                    try await engine(warnsUntraced: false).with { configuration in
                        if request.everyTarget {
                            configuration.targets = []
                            configuration.test.filters = []
                            configuration.test.skips = []
                            configuration.test.partition = nil
                        }
                        configuration.test.rerunFailed = request.onlyFailed
                    }.run()
                },
                scope: { try await engine(warnsUntraced: false).watchScope() },
                write: { FileHandle.standardOutput.write(Data($0.utf8)) },
                warn: { printWarning($0) })
            session.clears = !noClear
            session.keys = keys != nil
            Descendants.adoptOrphans()
            let status: Int32
            do {
                status = try await session.start(first: initial, commands: commands)
            } catch let error as TestCacheError {
                keys?.restore()
                throw failing(error)
            }
            // What a stopped run's tests started outside their process groups.
            await Descendants.stopAll()
            keys?.restore()
            if status != 0 { throw ExitCode(status) }
        }
    }
}
