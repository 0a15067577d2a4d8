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

    private var log: EngineLog { EngineLog(output: output, debug: configuration.debug) }
    private var memos: EngineMemos { EngineMemos(store: store, salt: configuration.salt) }

    /// The process runner, showing each command first with `-x`.
    private var processes: any ProcessRunning {
        configuration.test.printCommands ? EchoingRunner(base: services.processes, echo: log.line) : services.processes
    }

    /// The runner of the toolchain's own commands: a crash of SwiftPM or Swift Build is run again.
    private func swiftPM(echoing: Bool = true) -> CrashRetryingRunner {
        CrashRetryingRunner(base: echoing ? processes : services.processes, note: log.note)
    }

    /// The package loader; `explain` shows no commands, since it is not a run.
    private func loader(echoing: Bool = true) -> PackageLoader {
        PackageLoader(configuration: configuration, memos: memos, processes: swiftPM(echoing: echoing), log: log, clock: services.clock)
    }

    /// The result cache of a run with this package; nil when the options or a missing store turn it off.
    private func resultCache(_ package: LoadedPackage) -> ResultCache? {
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

    private var history: RunHistory { RunHistory(store: store, salt: configuration.salt) }

    /// Records what the targets run now left failing (for `--rerun-failed`) and which were flaky (for
    /// `flaky`); a listing records nothing.
    private func recordHistory(_ ran: [OrderedReporter.RanTarget], package: LoadedPackage) {
        // A run that replayed everything ran nothing that could fail or flake: nothing is written, so the
        // fully cached path stays free of store writes. (A record of failures it leaves in place reruns
        // tests that now pass, never misses one that fails.)
        guard !configuration.test.list, !ran.isEmpty else { return }
        let modules = Dictionary(package.targets.map { ($0.name, $0.moduleName) }, uniquingKeysWith: { first, _ in first })
        var failures = LastFailures()
        for target in ran where target.status.isFailure {
            // A target that failed with no test to blame failed as a whole: all its tests run again.
            let whole = target.failed.isEmpty || target.status == .buildFailed || target.status == .setupFailed
            failures.targets.append(.init(target: target.name, module: modules[target.name] ?? target.name, tests: whole ? nil : target.failed))
        }
        history.remember(failures, scope: configuration.test.failureScope ?? RunHistory.scope(configuration))
        let tested = ran.filter { $0.status != .noTestFiles && $0.status != .buildFailed }
        guard !tested.isEmpty else { return }
        let flaky = tested.flatMap { target in
            target.status == .flaky && target.flaky.isEmpty ? ["\(target.name) (target)"] : target.flaky
        }
        history.append(FlakeRecord(time: services.clock(), flaky: flaky), root: configuration.packagePath)
    }

    /// `--rerun-failed`: runs exactly what the last run of these options left failing, and records what
    /// still fails under those options.
    private func rerunFailed() async throws -> Int32 {
        let scope = RunHistory.scope(configuration)
        guard let last = history.lastFailures(scope: scope) else {
            throw TestCacheError(.usage, "--rerun-failed: no earlier run of this package with these options is recorded in the store")
        }
        guard !last.isEmpty else {
            log.note("--rerun-failed: the last run of this package with these options had no failures: nothing to run")
            for observer in output.observers { observer.runFinished(interrupted: false) }
            return 0
        }
        var rerun = configuration
        rerun.test.rerunFailed = false
        rerun.test.failureScope = scope
        rerun.targets = last.targets.map(\.target)
        rerun.test.filters = last.filters
        rerun.test.skips = []
        // The failed targets were this shard's: they run here, whatever a plan would say now.
        rerun.test.partition = nil
        return try await TestEngine(configuration: rerun, store: store, output: output, services: services).run()
    }

    /// The durations of this package's targets, where runs record them and `time:K/N` reads them.
    private func timings(_ package: LoadedPackage) -> TimingHistory {
        TimingHistory(
            store: store, shared: services.sharedCache, salt: configuration.salt, package: package.model.name, clock: services.clock,
            makeTemporaryDirectory: services.makeTemporaryDirectory)
    }

    /// This shard's targets under `--partition time:K/N`: the plan stored for this CI run (or, outside CI,
    /// for this state of every target's inputs) when a shard made one already, else one made now from the
    /// stored durations and stored for the other shards.
    private func shareByTime(_ package: LoadedPackage, partition: TargetPartition) async -> [PackageTarget] {
        let names = package.targets.map(\.name)
        let history = timings(package)
        let run = CIEnvironment.runID(configuration.environment)
            ?? "sources " + package.targets.map { package.planner.actionID(of: $0).hex }.joined(separator: " ")
        let key = history.planKey(run: run, count: partition.count, targets: names)
        var origin = "read from the plan a shard stored for this \(run.hasPrefix("sources ") ? "state of the sources" : "run")"
        var plan = await history.storedPlan(key)
        if plan?.covers(names, count: partition.count) != true {
            let known = await history.load(names).compactMapValues(\.estimate)
            let made = ShardPlan.balance(names, estimates: known, count: partition.count)
            await history.storePlan(made, under: key)
            plan = made
            origin = "made now"
        }
        guard let plan else { return package.targets }
        let mine = Set(plan.select(names, shard: partition.shard))
        if configuration.test.verbose {
            let loads = plan.loads
            log.note("--partition \(partition.description): \(mine.count) of \(names.count) targets, expected "
                + "\(RunTally.describe(seconds: loads[partition.shard - 1])); plan \(origin), from \(plan.basis); every shard's expected time: "
                + loads.map { RunTally.describe(seconds: $0) }.joined(separator: ", "))
        }
        return package.targets.filter { mine.contains($0.name) }
    }

    /// Records what a target that ran now measured, for the plans of `--partition time:K/N`: its wall time
    /// when every one of its tests ran once and passed, and each test's time.
    private func recordTimings(_ result: TargetResult, history: TimingHistory, selection: TestSelection) {
        guard !configuration.test.list, (configuration.test.count ?? 1) == 1, !result.cached else { return }
        let ran = result.tests.filter { $0.cached != true }
        let whole = result.status == .passed && result.replayedTests == 0 && selection.isEverything
        guard whole || !ran.isEmpty else { return }
        let tests = Dictionary(ran.map { ($0.id, $0.elapsed) }, uniquingKeysWith: { _, last in last })
        history.record(result.name, seconds: whole ? result.duration.map(seconds) : nil, tests: tests)
    }

    /// The exit status of a `--verify` run that found a replayed pass whose fresh run fails.
    public static let unsoundExitStatus: Int32 = 3

    /// How the targets that were built and run came out.
    private struct RunOutcome {
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
    private func plan(_ package: LoadedPackage, cached: Bool) -> [TargetPlan] {
        package.targets.enumerated().map { index, target in
            let reason = package.planner.uncachedReason(for: target, storeAvailable: cached)
            return TargetPlan(
                index: index, target: target, uncachedReason: reason,
                actionID: reason == nil ? package.planner.actionID(of: target) : nil)
        }
    }

    /// Looks every cached plan up by its action ID and delivers the hits; gives the rest.
    private func replayByActionID(_ plans: [TargetPlan], cache: ResultCache?, reporter: OrderedReporter) async -> [PendingTarget] {
        let found = await lookUp(plans.compactMap { plan in plan.actionID.map { (plan, $0) } }, in: cache)
        var pending: [PendingTarget] = []
        for plan in plans {
            let name = plan.target.name
            guard let id = plan.actionID, let lookup = found[plan.index] else {
                log.target(name, "not cached: \(plan.uncachedReason ?? "no store")")
                pending.append(PendingTarget(plan: plan, replayed: nil))
                continue
            }
            switch lookup {
            case .hit(let result, let inputs, let remote):
                log.target(name, "hit on action ID \(id.hex.prefix(16))\(remote ? ", fetched from the remote cache" : "")")
                if let replayed = keptForVerification(result, inputs: inputs, key: "action ID \(id.hex.prefix(16))") {
                    pending.append(PendingTarget(plan: plan, replayed: replayed))
                    continue
                }
                await reporter.deliver(plan.index, result)
            case .miss(let why):
                log.target(name, "miss on action ID \(id.hex.prefix(16)): \(why)")
                pending.append(PendingTarget(plan: plan, replayed: nil))
            }
        }
        return pending
    }

    /// The `--verify` policy, in one place: a hit is delivered, unless the run verifies, when what it
    /// would have replayed is kept instead, to be compared with a fresh run.
    private func keptForVerification(_ result: TargetResult, inputs: TestInputs?, key: String) -> Replayed? {
        configuration.test.verify ? Replayed(result: result, inputs: inputs, key: key) : nil
    }

    /// Looks up every plan under the key given with it, all at once; the lookups by the plans' indices.
    private func lookUp(
        _ keyed: [(plan: TargetPlan, key: ActionID)], in cache: ResultCache?, builtIn: String? = nil
    ) async -> [Int: CacheLookup] {
        guard let cache else { return [:] }
        let lookups = await cache.lookUp(keyed.map { (target: $0.plan.target, key: $0.key) }, builtIn: builtIn)
        return Dictionary(zip(keyed, lookups).map { ($0.plan.index, $1) }, uniquingKeysWith: { first, _ in first })
    }

    /// Builds the tests, replays the misses whose content IDs hit, and runs the rest.
    private func buildAndRun(
        _ misses: [PendingTarget], package: LoadedPackage, cache: ResultCache?, selection: TestSelection,
        reporter: OrderedReporter, status: StatusLine?
    ) async throws -> RunOutcome {
        let builder = PackageBuilder(
            configuration: configuration, processes: swiftPM(), status: status, memos: memos, clock: services.clock, sleep: services.sleep,
            debug: { [log] in log.run($0) })
        let built: BuiltTests
        switch try await builder.build(model: package.model, toolchain: package.toolchain, system: package.buildSystem) {
        case .failed(let buildOutput):
            output.standardError(String(decoding: buildOutput, as: UTF8.self))
            for pending in misses {
                await reporter.deliver(pending.plan.index, TargetResult(name: pending.plan.target.name, status: .buildFailed))
            }
            return RunOutcome(failed: true)
        case .built(let tests):
            built = tests
        }
        // What the build read only matters to results that are stored.
        let readings = cache.map { _ in
            BuildReadings(
                root: configuration.packagePath, scratch: configuration.build.scratchDirectory(root: configuration.packagePath),
                layout: built.layout, model: package.model)
        }
        let contentKeys = ContentKeys(
            salt: configuration.salt, trace: log.hashTrace, layout: built.layout, model: package.model, memory: services.objects,
            now: services.clock())
        let toRun = await replayByContentID(
            misses, built: built, readings: readings, contentKeys: contentKeys, package: package, cache: cache, reporter: reporter)
        guard !toRun.isEmpty else { return RunOutcome() }
        let perTest = cache.map {
            PerTestCache(
                configuration: configuration, cache: $0, planner: package.planner, contentKeys: contentKeys, selection: selection,
                builtIn: built.buildDirectory, log: log)
        }
        return await runTargets(
            toRun, built: built, readings: readings, package: package, cache: cache, perTest: perTest, selection: selection,
            reporter: reporter, status: status)
    }

    /// The second level: what was built for each cached miss. A content hit is replayed, and filed under
    /// the action ID too, so that the next run hits without building. Gives the targets still to run.
    private func replayByContentID(
        _ misses: [PendingTarget], built: BuiltTests, readings: BuildReadings?, contentKeys: ContentKeys, package: LoadedPackage,
        cache: ResultCache?, reporter: OrderedReporter
    ) async -> [BuiltTarget] {
        guard let cache, let readings else {
            return misses.map { BuiltTarget(plan: $0.plan, buildInputs: BuildInputs(), contentID: nil, replayed: $0.replayed) }
        }
        let learning = services.monotonicNow()
        let buildInputs = misses.map { $0.plan.actionID == nil ? BuildInputs() : readings.inputs(for: $0.plan.target) }
        log.run("learned what the build read for \(misses.count) targets in \(services.monotonicNow() - learning)")
        let keyed = zip(misses, buildInputs).map { pending, inputs in
            BuiltTarget(
                plan: pending.plan, buildInputs: inputs,
                contentID: pending.plan.actionID == nil ? nil : package.planner.contentID(of: pending.plan.target, from: contentKeys),
                replayed: pending.replayed)
        }
        let found = await lookUp(keyed.compactMap { target in target.contentID.map { (target.plan, $0) } }, in: cache, builtIn: built.buildDirectory)
        var toRun: [BuiltTarget] = []
        for target in keyed {
            let plan = target.plan
            guard let contentID = target.contentID, let lookup = found[plan.index] else {
                toRun.append(target)
                continue
            }
            switch lookup {
            case .hit(let result, let inputs, let remote):
                log.target(plan.target.name, "hit on content ID \(contentID.hex.prefix(16))\(remote ? ", fetched from the remote cache" : "")")
                if let replayed = target.replayed ?? keptForVerification(result, inputs: inputs, key: "content ID \(contentID.hex.prefix(16))") {
                    toRun.append(BuiltTarget(plan: plan, buildInputs: target.buildInputs, contentID: contentID, replayed: replayed))
                    continue
                }
                var inputs = inputs ?? .none
                inputs.build = target.buildInputs.merging(readings.inputs(forProducts: inputs.products))
                cache.file(result, inputs: inputs, actionID: plan.actionID, contentID: nil, builtIn: built.buildDirectory, for: plan.target)
                await reporter.deliver(plan.index, result)
            case .miss(let why):
                log.target(plan.target.name, "miss on content ID \(contentID.hex.prefix(16)): \(why)")
                toRun.append(target)
            }
        }
        return toRun
    }

    /// Lists the tests, measures the trace baseline, and runs the plans `jobs` at a time, storing each
    /// passing run and printing each line when its turn comes; with `--verify`, compares each fresh run
    /// with what the cache would have replayed.
    private func runTargets(
        _ plans: [BuiltTarget], built: BuiltTests, readings: BuildReadings?, package: LoadedPackage, cache: ResultCache?,
        perTest: PerTestCache?, selection: TestSelection, reporter: OrderedReporter, status: StatusLine?
    ) async -> RunOutcome {
        let probe = TestBinaryProbe(configuration: configuration, processes: processes, memos: memos)
        // The native build system's one binary is listed once for every target; Swift Build's runners
        // each list their own target's tests as the target's run starts.
        var listed: TestInventory?
        if built.layout.system == .native, let first = plans.first {
            let binary = built.binary(for: first.plan.target)
            // As `swift test` does: with the package's own entry point, Swift Testing is not run.
            let entryPoints = TestEntryPoint.find(in: package.model, root: configuration.packagePath)
            if let entryPoint = entryPoints.first {
                log.run("the test binary's main is \(entryPoint): it runs the XCTest tests it lists, and Swift Testing is not run, as swift test does")
            }
            do {
                listed = try await probe.listTests(binary, swiftTesting: entryPoints.isEmpty)
            } catch {
                log.note("cannot list the tests of \(binary): \(error)")
                for built in plans { await reporter.deliver(built.plan.index, TargetResult(name: built.plan.target.name, status: .setupFailed)) }
                return RunOutcome(failed: true)
            }
        }
        let shared = listed
        // The tracer's logs, one per target run, read and removed as each run ends. Without a place for
        // them, what the tests read cannot be known, and their results are not stored.
        let traceDirectory = configuration.tracer == nil ? nil : services.makeTemporaryDirectory()
        defer { if let traceDirectory { removeFlatDirectory(traceDirectory) } }
        let tracing = configuration.tracer.flatMap { library in traceDirectory.map { (library: library, directory: $0) } }
        // Swift Testing's event streams, one per process, read and removed as each ends: per-test results.
        let eventsDirectory = configuration.test.list ? nil : services.makeTemporaryDirectory()
        defer { if let eventsDirectory { removeFlatDirectory(eventsDirectory) } }
        let storing = configuration.tracer == nil || tracing != nil ? cache : nil
        var baseline: Set<String> = []
        if let tracing {
            baseline = await probe.baselineVariables(
                built.binary(for: plans[0].plan.target), tracer: tracing.library, traceDirectory: tracing.directory, toolchain: package.toolchain)
        }

        // Never into a machine-readable stream (`--json`) that stands in for the lines.
        let streams = configuration.test.verbose && (plans.count == 1 || configuration.test.jobs == 1) && output.printsLines
        let show: @Sendable ([UInt8]) -> Void = { [output] bytes in output.standardOutput(String(decoding: bytes, as: UTF8.self)) }
        // The raw profiles of `--enable-code-coverage`, a directory per target, each removed once measured.
        let coverageDirectory = configuration.build.codeCoverage && !configuration.test.list ? services.makeTemporaryDirectory() : nil
        defer { if let coverageDirectory { FileSystem.removeTree(coverageDirectory) } }
        let coverage = coverageDirectory.map {
            CoverageCollector(
                directory: $0, swiftPath: package.toolchain.swiftPath, layout: built.layout, root: configuration.packagePath,
                model: package.model, processes: processes)
        }
        let runner = TargetRunner(
            configuration: configuration, built: built, selection: selection,
            processes: processes, clock: services.clock, monotonicNow: services.monotonicNow, stream: streams ? show : nil, tracing: tracing,
            eventsDirectory: eventsDirectory, coverage: coverage, quarantine: package.settings.quarantine)
        // No live status while test output streams to the terminal: the two would overwrite each other.
        let scheduler = TargetScheduler(jobs: configuration.test.jobs, status: streams ? nil : status)
        let history = timings(package)
        var outcome = RunOutcome()
        // Under Swift Build with every test selected, each runner runs whole, as `swift test` runs it: no
        // listing first.
        let whole = !configuration.test.list && selection.isEverything
        let clock = services.clock
        await scheduler.run(plans, { target in
            let perTarget = perTest.flatMap { cache -> PerTestCache? in
                guard let reason = cache.wholeOnlyReason(target) else { return cache }
                log.target(target.plan.target.name, "cached whole, not per test: \(reason)")
                return nil
            }
            var inventory = shared
            if inventory == nil {
                let binary = built.binary(for: target.plan.target)
                if whole && perTarget == nil {
                    return await runner.run(target.plan.target, tests: .wholeRunner { try await probe.listTests(binary) })
                }
                do {
                    inventory = try await probe.listTests(binary)
                } catch {
                    var result = TargetResult(name: target.plan.target.name, status: .setupFailed)
                    result.output = Array("*** cannot list the tests of \(binary): \(error)\n".utf8)
                    return TargetRun(result: result, streamed: false)
                }
            }
            guard let inventory else { return TargetRun(result: TargetResult(name: target.plan.target.name, status: .setupFailed)) }
            if let perTarget, let plan = await perTarget.plan(target, inventory: inventory) {
                return await perTarget.run(target, plan: plan, inventory: inventory, runner: runner, now: clock())
            }
            return await runner.run(target.plan.target, tests: .listed(inventory))
        }) { target, run in
            if run.result.status.isFailure { outcome.failed = true }
            if let plan = run.perTest, plan.verifying {
                let fresh = Dictionary(run.result.tests.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
                for replayed in plan.replayed {
                    outcome.verified += 1
                    if fresh[replayed.id] == .failed {
                        outcome.unsound += 1
                        log.note("verify: \(target.plan.target.name): unsound hit: \(replayed.id) was replayed as passed by its own key, "
                            + "but a fresh run of the whole target fails it")
                    }
                }
            }
            if let replayed = target.replayed {
                outcome.verified += 1
                if run.result.status.isFailure && !replayed.result.status.isFailure {
                    outcome.unsound += 1
                    reportUnsound(target.plan.target, replayed: replayed, fresh: run.result)
                }
            }
            if let readings { storing?.store(run, of: target, baseline: baseline, readings: readings, builtIn: built.buildDirectory) }
            recordTimings(run.result, history: history, selection: selection)
            await reporter.deliver(target.plan.index, run.result, streamed: run.streamed)
        }
        return outcome
    }

    /// Says that the cache would have replayed a pass that a fresh run fails, and what it was keyed on.
    private func reportUnsound(_ target: PackageTarget, replayed: Replayed, fresh: TargetResult) {
        log.note("verify: \(target.name): unsound hit: the cache would have replayed a passing result "
            + "by its \(replayed.key), but a fresh run fails")
        if let inputs = replayed.inputs {
            log.note("verify: \(target.name): beyond its sources it was keyed on files \(inputs.files), directories \(inputs.directories), "
                + "variables \(inputs.variables)\(inputs.wholeEnvironment ? " and the whole environment" : ""), products \(inputs.products), "
                + "headers \(inputs.build.compilerFiles), plugin inputs \(inputs.build.pluginInputs), linker inputs \(inputs.build.linkerInputs)")
        }
    }
}
