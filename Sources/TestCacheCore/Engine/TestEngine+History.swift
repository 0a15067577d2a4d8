// What runs leave for later ones: the failures `--rerun-failed` reruns, the flakes `flaky` lists, and
// the times `--partition time` plans with.
import Foundation
import TestCacheReports
import TestCacheStore

extension TestEngine {
    var history: RunHistory { RunHistory(store: store, salt: configuration.salt) }

    /// Records what the targets run now left failing (for `--rerun-failed`) and which were flaky (for
    /// `flaky`); a listing records nothing.
    func recordHistory(_ ran: [OrderedReporter.RanTarget], package: LoadedPackage) {
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
    func rerunFailed() async throws -> Int32 {
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
    func timings(_ package: LoadedPackage) -> TimingHistory {
        TimingHistory(
            store: store, shared: services.sharedCache, salt: configuration.salt, package: package.model.name, clock: services.clock,
            makeTemporaryDirectory: services.makeTemporaryDirectory)
    }

    /// This shard's targets under `--partition time:K/N`: the plan stored for this CI run (or, outside CI,
    /// for this state of every target's inputs) when a shard made one already, else one made now from the
    /// stored durations and stored for the other shards.
    func shareByTime(_ package: LoadedPackage, partition: TargetPartition) async -> [PackageTarget] {
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
    func recordTimings(_ result: TargetResult, history: TimingHistory, selection: TestSelection) {
        guard !configuration.test.list, (configuration.test.count ?? 1) == 1, !result.cached else { return }
        let ran = result.tests.filter { $0.cached != true }
        let whole = result.status == .passed && result.replayedTests == 0 && selection.isEverything
        guard whole || !ran.isEmpty else { return }
        let tests = Dictionary(ran.map { ($0.id, $0.elapsed) }, uniquingKeysWith: { _, last in last })
        history.record(result.name, seconds: whole ? result.duration.map(seconds) : nil, tests: tests)
    }
}
