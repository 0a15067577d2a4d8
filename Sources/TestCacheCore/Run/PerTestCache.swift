import TestCacheReports
import TestCacheStore

/// What one target's run owes to results cached per test: each selected test's key, the tests replayed
/// from those keys with the input lists they were filed with, and the tests that run now.
struct PerTestRun: Sendable {
    /// Each selected test's key, by ID.
    var keys: [String: ActionID]
    /// The tests whose stored results stand for them, marked cached.
    var replayed: [TestCaseResult] = []
    /// What each replayed test's run read, when it was traced.
    var replayedInputs: [TestInputs] = []
    /// The tests that run now.
    var toRun: Set<String> = []
    /// With `--verify`: every test runs, and a replayed pass whose fresh run fails is unsound.
    var verifying = false
    /// The tests that run again under the very key they failed under last time.
    var failedUnderKey: Set<String> = []
}

/// Results cached per test within a target whose content ID missed: each test is keyed by what it can
/// reach in what was built (``ContentKeys/testKeys(for:tests:sources:inputs:test:declared:untracedReads:)``),
/// the tests whose keys hit are replayed, and only the others run, in one process per testing library
/// as before. A target whose first key hits still replays whole without building.
///
/// The assumption, as Swift Testing states it for its parallel, randomly ordered runs: a test does not
/// depend on what another test of its target did before it. `--verify` runs every test and checks each
/// replayed one; `"granularity": "target"` in `.swift-testcache.json` caches a target only whole.
struct PerTestCache: Sendable {
    let configuration: EngineConfiguration
    let cache: ResultCache
    let planner: KeyPlanner
    let contentKeys: ContentKeys
    let selection: TestSelection
    /// The build directory: products the tests ran are keyed by what was built.
    let builtIn: String
    let log: EngineLog

    /// Why a target's tests are not cached one by one, or nil when they are.
    func wholeOnlyReason(_ target: BuiltTarget) -> String? {
        let test = configuration.test
        if target.plan.uncachedReason != nil || target.contentID == nil { return "it has no content ID" }
        if test.list { return "tests are listed, not run" }
        if configuration.build.codeCoverage { return "coverage is measured per target" }
        if (test.count ?? 1) > 1 { return "--count runs every test" }
        if !planner.settings.settings(for: target.plan.target.name).perTest { return "\(PackageSettings.fileName) asks for \"granularity\": \"target\"" }
        if let place = serializedSuites(of: target.plan.target).unattributed {
            // A serialized suite's tests may rely on each other's order: one that cannot be named makes
            // the target one unit.
            return "the .serialized at \(place) is not a @Suite's on a type"
        }
        return nil
    }

    /// The target's serialized suites, each one unit of the cache.
    func serializedSuites(of target: PackageTarget) -> SerializedSuites {
        SerializedSuites(sources: sources(of: target))
    }

    /// Makes each serialized suite's tests one unit: each one's key becomes the key of all of them with
    /// its ID, so that a change any of them can reach misses them all.
    func unitKeys(_ keys: [ActionID], of ids: [String], suites: SerializedSuites) -> [ActionID] {
        let suiteOf = ids.map(suites.suite(of:))
        var members: [String: [(id: String, key: ActionID)]] = [:]
        for (index, suite) in suiteOf.enumerated() {
            if let suite { members[suite, default: []].append((ids[index], keys[index])) }
        }
        return ids.indices.map { index in
            guard let suite = suiteOf[index], let all = members[suite] else { return keys[index] }
            var hasher = KeyHasher(name: "serialized-suite", salt: configuration.salt)
            for member in all.sorted(by: { $0.id < $1.id }) {
                hasher.update(field: "test", member.id)
                hasher.update(member.key)
            }
            hasher.update(field: "unit of", ids[index])
            return hasher.finalize()
        }
    }

    /// Keys each selected test of `target` that `inventory` lists and looks them up; nil when its
    /// build products cannot be read. For targets ``wholeOnlyReason(_:)`` finds none for.
    func plan(_ target: BuiltTarget, inventory: TestInventory) async -> PerTestRun? {
        let module = target.plan.target.moduleName
        // Each test once: one ID is one test, however many times the binary lists or runs it.
        let ids = TestInventory.unique(((configuration.test.xctest ? inventory.xctest[module] ?? [] : [])
            + (configuration.test.swiftTesting ? inventory.swiftTesting[module] ?? [] : [])).filter(selection.selects))
        guard !ids.isEmpty, let testKeys = planner.testKeys(of: target.plan.target, tests: ids, from: contentKeys) else { return nil }
        let suites = serializedSuites(of: target.plan.target)
        let keys = unitKeys(testKeys.keys, of: ids, suites: suites)
        if let reason = testKeys.typesByName { log.target(target.plan.target.name, "per test: every type counts for every test: \(reason)") }
        var plan = PerTestRun(keys: Dictionary(zip(ids, keys), uniquingKeysWith: { first, _ in first }), verifying: configuration.test.verify)
        let lookups = await cache.lookUp(keys.map { (target: target.plan.target, key: $0) }, builtIn: builtIn)
        for (id, lookup) in zip(ids, lookups) {
            guard case .hit(var result, let inputs, _) = lookup else {
                plan.toRun.insert(id)
                continue
            }
            result.loadStoredDetails()
            guard var test = result.tests.first(where: { $0.id == id }), test.outcome == .passed || test.outcome == .skipped else {
                plan.toRun.insert(id)
                continue
            }
            test.cached = true
            plan.replayed.append(test)
            if let inputs { plan.replayedInputs.append(inputs) }
            if plan.verifying { plan.toRun.insert(id) }
        }
        // Why each test that misses does, against what the last run per test reached.
        let name = target.plan.target.name
        var record = testKeys.record
        let previous = cache.memos.testRun(of: name, root: configuration.packagePath)
        let replayedIDs = Set(plan.replayed.map(\.id))
        let index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for id in plan.toRun where !replayedIDs.contains(id) {
            if let previous, let suite = suites.suite(of: id), previous.keptItsKey(id, now: record) {
                // Its key is its suite's: what changed is another test's of it, or one of them failed.
                record.ran[id] = "its serialized suite \(suite) runs whole: nothing this test reaches changed, but another of its tests changed or failed"
                continue
            }
            record.ran[id] = previous?.reason(for: id, now: record, path: { testKeys.paths.path(to: $0, test: index[id] ?? -1) })
                ?? "it is new here (no earlier run keyed it)"
        }
        if let previous, let failed = previous.failed {
            plan.failedUnderKey = Set(failed.filter { plan.toRun.contains($0) && !replayedIDs.contains($0) && previous.keptItsKey($0, now: record) })
            // Carried over until this run's failures are known: a run cut short still knows them.
            record.failed = plan.failedUnderKey.sorted()
        }
        // A serialized suite runs whole, in its order, when any of its tests must run (one whose pass
        // was not stored, say, though the others' were under the same keys).
        let whole = suites.wholeSuites(of: plan.toRun, among: ids)
        for id in whole where record.ran[id] == nil && !plan.verifying {
            record.ran[id] = "its serialized suite \(suites.suite(of: id) ?? "") runs whole"
        }
        plan.toRun.formUnion(whole)
        if !plan.verifying { plan.replayed.removeAll { whole.contains($0.id) } }
        record.replayed = plan.replayed.count
        cache.memos.remember(record, of: name, root: configuration.packagePath)
        for (id, reason) in record.ran.sorted(by: { $0.key < $1.key }) { log.target(name, "runs \(id): \(reason)") }
        log.target(target.plan.target.name, "per test: \(plan.replayed.count) of \(ids.count) tests hit; \(plan.toRun.count) run")
        return plan
    }

    /// Runs the tests `plan` did not replay and adds the replayed ones to the result; runs nothing when
    /// every test was replayed.
    ///
    /// A test that failed last time beside others and passes now under the same key, run without some of
    /// them, may depend on what they did before it in one process (combine-schedulers'
    /// `UISchedulerTests.testRunsOnMain` fails after the others and passes alone). Its pass alone is not
    /// the target's verdict: the whole target runs again, as `swift test` runs it, and that run is the
    /// result. A test whose key changed runs alone: what changed is what it runs for.
    func run(_ target: BuiltTarget, plan: PerTestRun, inventory: TestInventory, runner: TargetRunner, now: Int64) async -> TargetRun {
        let name = target.plan.target.name
        guard !plan.toRun.isEmpty else {
            var result = TargetResult(name: name, status: .passed, cached: true)
            result.tests = plan.replayed
            result.replayedTests = plan.replayed.count
            if configuration.test.verbose { result.output = Array(plan.replayed.map(\.output).joined().utf8) }
            var run = TargetRun(result: result, storable: true, started: now)
            run.perTest = plan
            // Nothing ran, so nothing failed: the record `plan` filed already says so.
            return run
        }
        var run = await runner.run(target.plan.target, tests: .listed(inventory), only: plan.toRun)
        var plan = plan
        var wholeReason: String?
        let everything = Set(plan.keys.keys)
        if !plan.verifying, plan.toRun != everything,
            let flipped = run.result.tests.filter({ plan.failedUnderKey.contains($0.id) && $0.outcome != .failed }).map(\.id).min()
        {
            let reason = "the target runs whole: \(flipped) failed beside the others under the key it has now and passes without them"
            log.target(name, reason)
            wholeReason = reason
            plan.toRun = everything
            plan.replayed = []
            plan.replayedInputs = []
            run = await runner.run(target.plan.target, tests: .listed(inventory), only: everything)
        }
        if !plan.verifying {
            let fresh = run.result.tests
            run.result.tests = plan.replayed + fresh
            run.result.replayedTests = plan.replayed.count
            if configuration.test.verbose { run.result.output = Array(plan.replayed.map(\.output).joined().utf8) + run.result.output }
        }
        run.perTest = plan
        rememberOutcome(of: run, target: name, wholeReason: wholeReason)
        return run
    }

    /// Files the tests that failed in `run` with the record of what they reached, for the next run to
    /// tell a failure under an unchanged key; with `wholeReason`, says for `explain --tests` that every
    /// test of the target ran, and why.
    private func rememberOutcome(of run: TargetRun, target name: String, wholeReason: String?) {
        guard var record = cache.memos.testRun(of: name, root: configuration.packagePath) else { return }
        record.failed = run.result.tests.filter { $0.cached != true && $0.outcome == .failed }.map(\.id).sorted()
        if let wholeReason {
            for id in record.own.keys where record.ran[id] == nil { record.ran[id] = wholeReason }
            record.replayed = 0
        }
        cache.memos.remember(record, of: name, root: configuration.packagePath)
    }

    /// The paths and texts of a target's source files.
    private func sources(of target: PackageTarget) -> [(path: String, text: String)] {
        target.sourcePaths.sorted().compactMap { path in
            FileSystem.contents(configuration.packagePath + "/" + path).map { (path, String(decoding: $0, as: UTF8.self)) }
        }
    }
}
