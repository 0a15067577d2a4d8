// The engine of swift-testcache: Go's `go test` cache for SwiftPM packages.
//
// One run, and the type that does each step:
//
//     PackageLoader   describe the package (remembered in EngineMemos), read .swift-testcache.json,
//                     select the test targets, resolve unpinned dependencies
//     KeyPlanner      description key → package inputs → each target's action ID
//     ResultCache     look every action ID up: local store, then the shared cache, in two steps (the
//                     input list under the key, the result under the key and those inputs' state)
//     OrderedReporter print each hit's stored output and line, in the manifest's order, and hand its
//                     report (stored tests, time, coverage) to the observers: JSON, JUnit, GitHub
//
// The cached path ends here: when every target hit, nothing is built or run. Otherwise, for the misses:
//
//     PackageBuilder  remove linked products older than what their link commands name; swift build
//                     (native: one test binary; Swift Build: a runner and a .so per test target, where
//                     BuildLayout says; built once more if SwiftPM crashed)
//     KeyPlanner      each miss's content ID, from what its code can reach in what was built
//                     (ContentKeys, ObjectGraph); BuildReadings learns
//                     what the build read beyond the target directories (headers, plugin inputs,
//                     what the link commands name)
//     ResultCache     look the content IDs up; a hit is replayed and filed under its action ID too
//     TestBinaryProbe list the tests (natively once; Swift Build's runners each their own target's, as
//                     the target's run starts); measure the variables every test process reads
//     TargetScheduler run the rest, `jobs` at a time, each through a TargetRunner (traced; each test's
//                     result read; failed tests retried; coverage measured)
//     ResultCache     store every passing run under its action and content IDs, with what it and its
//                     build read
//     OrderedReporter print each line when its turn comes
//
// Explainer answers `explain` from the same loaded package and keys, building and running nothing.
import Foundation
import TestCacheReports
public import TestCacheStore

/// Runs a package's tests per target and caches every passing result: Go's `go test` cache for SwiftPM.
///
/// A run hashes each selected test target's inputs into an action ID and looks it up. When every target
/// hits, nothing is built or run. Otherwise the package is built once, its tests are listed once, and
/// the targets that missed run in parallel, each printed in target order when its turn comes.
public struct TestEngine: Sendable {
    let configuration: EngineConfiguration
    /// Where results and the engine's memos live; nil runs without any cache.
    let store: ResultStore?
    let output: EngineOutput
    let services: EngineServices

    public init(configuration: EngineConfiguration, store: ResultStore?, output: EngineOutput, services: EngineServices) {
        self.configuration = configuration
        self.store = store
        self.output = output
        self.services = services
    }

    var log: EngineLog { EngineLog(output: output, debug: configuration.debug) }
    var memos: EngineMemos { EngineMemos(store: store, salt: configuration.salt) }

    /// The process runner, showing each command first with `-x`.
    var processes: any ProcessRunning {
        configuration.test.printCommands ? EchoingRunner(base: services.processes, echo: log.line) : services.processes
    }

    /// The runner of the toolchain's own commands: a crash of SwiftPM or Swift Build is run again.
    func swiftPM(echoing: Bool = true) -> CrashRetryingRunner {
        CrashRetryingRunner(base: echoing ? processes : services.processes, note: log.note)
    }

    /// The package loader; `explain` shows no commands, since it is not a run.
    func loader(echoing: Bool = true) -> PackageLoader {
        PackageLoader(configuration: configuration, memos: memos, processes: swiftPM(echoing: echoing), log: log, clock: services.clock)
    }

    /// The result cache of a run with this package; nil when the options or a missing store turn it off.
    func resultCache(_ package: LoadedPackage) -> ResultCache? {
        guard let store, configuration.test.cacheDisabledReason == nil else { return nil }
        return ResultCache(
            store: store, shared: services.sharedCache, planner: package.planner, traced: configuration.tracer != nil,
            memos: memos, log: log)
    }

    /// Runs the tests; gives the exit status (0 all passed, 1 any failed). Throws ``TestCacheError`` for bad
    /// input (not a package, a manifest that does not load, an unknown target, a bad regex, bad settings).
    public func run() async throws -> Int32 {
        if configuration.test.rerunFailed { return try await rerunFailed() }
        let selection = try TestSelection(filters: configuration.test.filters, skips: configuration.test.skips)
        guard var package = try await loader().load() else {
            for observer in output.observers { observer.runFinished(interrupted: false) }
            return 0
        }
        if let partition = configuration.test.partition, partition.kind == .time {
            package.targets = await shareByTime(package, partition: partition)
            guard !package.targets.isEmpty else {
                log.note("--partition \(partition.description) takes none of the test targets")
                for observer in output.observers { observer.runFinished(interrupted: false) }
                return 0
            }
        }
        let status = configuration.progressIsTerminal ? StatusLine(write: output.standardError, now: services.monotonicNow) : nil
        let showsTally = configuration.progressIsTerminal || configuration.test.verbose || configuration.alwaysTallies
        let reporter = OrderedReporter(
            showsOutput: configuration.test.verbose || configuration.test.list, output: output, status: status, keepsTally: showsTally,
            showsCoverage: configuration.build.codeCoverage)
        let cache = resultCache(package)

        let misses = await replayByActionID(plan(package, cached: cache != nil), cache: cache, reporter: reporter)
        log.run("read \(package.hasher.filesRead) of \(package.hasher.filesSeen) input files; the others were unchanged since last hashed")
        memos.saveStatRecords(package.hasher, previous: package.previousRecords, everyTarget: configuration.targets.isEmpty)

        var outcome = RunOutcome()
        if !misses.isEmpty {
            outcome = try await buildAndRun(misses, package: package, cache: cache, selection: selection, reporter: reporter, status: status)
        }
        if let shared = services.sharedCache, cache != nil {
            await shared.flush()
            if configuration.test.verbose || configuration.debug.remote { log.note("remote cache: \(shared.summary)") }
        }
        let ranNow = await reporter.ranNow
        recordHistory(ranNow, package: package)
        store?.trimIfDue()
        for observer in output.observers { observer.runFinished(interrupted: false) }
        if showsTally {
            output.standardError("\(await reporter.tally)\n")
        }
        if configuration.test.verify {
            log.note("verify: \(outcome.verified) replayed results run again, \(outcome.unsound) unsound")
            if outcome.unsound > 0 { return Self.unsoundExitStatus }
        }
        let flakyFails = configuration.test.flakyFails && ranNow.contains { $0.status == .flaky }
        return outcome.failed || flakyFails ? 1 : 0
    }

    /// The exit status of a `--verify` run that found a replayed pass whose fresh run fails.
    public static let unsoundExitStatus: Int32 = 3

    /// How the targets that were built and run came out.
    struct RunOutcome {
        var failed = false
        /// With `--verify`: targets the cache would have replayed, run again; and those whose fresh run failed.
        var verified = 0
        var unsound = 0
    }

    /// Says for each selected target whether the next run would replay it, and if not what changed since
    /// its last stored result, in a few lines each; builds and runs nothing. Gives the exit status.
    public func explain(tests: Bool = false) async throws -> Int32 {
        guard let package = try await loader(echoing: false).load() else { return 0 }
        if tests {
            // The last run that keyed each target's tests one by one: which ran, and why.
            for target in package.targets {
                guard let record = memos.testRun(of: target.name, root: configuration.packagePath) else {
                    output.standardOutput("\(target.name): no run here has cached its tests one by one\n")
                    continue
                }
                var lines = ["\(target.name): last run one by one: \(record.ran.count) ran, \(record.replayed) replayed"]
                lines += record.ran.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value)" }
                output.standardOutput(lines.map { $0 + "\n" }.joined())
            }
            return 0
        }
        let cache = store.map {
            ResultCache(store: $0, shared: nil, planner: package.planner, traced: configuration.tracer != nil, memos: memos, log: log)
        }
        let explainer = Explainer(package: package, cache: cache, memos: memos)
        for target in package.targets {
            output.standardOutput(explainer.explanation(of: target).map { $0 + "\n" }.joined())
        }
        return 0
    }

    /// What can change a result of the selected targets now, for `watch`: every file, tree and listing
    /// their action IDs and their stored input lists consulted; builds and runs nothing. When some
    /// target's inputs are not known (no stored passing result for its inputs as they are, no cache, or
    /// untraced reads), every file of the package counts.
    public func watchScope() async throws -> WatchScope {
        let root = configuration.packagePath
        var skipped = [configuration.build.scratchDirectory(root: root)]
        if let store { skipped.append(store.directory) }
        guard let package = try await loader(echoing: false).load() else {
            return WatchScope(root: root, consulted: ConsultedPaths(), everything: true, skipping: skipped)
        }
        var everything = configuration.tracer == nil
        let cache = resultCache(package)
        for plan in plan(package, cached: cache != nil) {
            // Looking the result up hashes what its last passing run read: the hasher records all of it.
            guard let id = plan.actionID, let cache, case .hit = cache.lookUpLocally(id, for: plan.target) else {
                everything = true
                continue
            }
        }
        return WatchScope(root: root, consulted: package.hasher.consulted, everything: everything, skipping: skipped)
    }

    /// This engine with its configuration changed, for one run of a session that varies it (`watch`).
    public func with(_ change: (inout EngineConfiguration) -> Void) -> TestEngine {
        var changed = configuration
        change(&changed)
        return TestEngine(configuration: changed, store: store, output: output, services: services)
    }

    /// A plan per selected target, in the manifest's order, with its action ID when it is cached.
    func plan(_ package: LoadedPackage, cached: Bool) -> [TargetPlan] {
        package.targets.enumerated().map { index, target in
            let reason = package.planner.uncachedReason(for: target, storeAvailable: cached)
            return TargetPlan(
                index: index, target: target, uncachedReason: reason,
                actionID: reason == nil ? package.planner.actionID(of: target) : nil)
        }
    }

}
