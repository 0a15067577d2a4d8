import TestCacheReports
import TestCacheStore

/// How looking a target up under one key came out.
enum CacheLookup: Sendable {
    /// A stored passing result, with the input list it was filed under when traced.
    case hit(TargetResult, inputs: TestInputs?, fromSharedCache: Bool)
    case miss(CacheMiss)

    var result: TargetResult? {
        if case .hit(let result, _, _) = self { return result }
        return nil
    }
}

/// Why a lookup missed.
enum CacheMiss: Sendable, CustomStringConvertible {
    /// Nothing usable under the key: the store's own reason (absent, damaged, expired…).
    case store(MissReason)
    /// Something under the key that is not a stored passing result.
    case notAResult
    /// Traced: something under the key that is not an input list.
    case notAnInputList
    /// The input list of the last passing run, whose files or variables have changed since.
    case inputsChanged(TestInputs)
    /// A prebuild plugin command of these targets must run before what they read can be known.
    case prebuild([String])

    var description: String {
        switch self {
        case .store(let reason): "\(reason)"
        case .notAResult: "not a stored passing result"
        case .notAnInputList: "not a stored input list"
        case .inputsChanged(let inputs):
            "what its last passing run read has changed (\(inputs.files.count) files, "
                + "\(inputs.directories.count) directories, \(inputs.variables.count) variables, \(inputs.products.count) products, "
                + "\(inputs.build.compilerFiles.count + inputs.build.pluginInputs.count) files the build read"
                + (inputs.wholeEnvironment ? ", the whole environment)" : ")")
        case .prebuild(let targets): "a prebuild plugin command of \(targets.joined(separator: ", ")) runs first"
        }
    }
}

/// Test results by key: the local store first, then the shared cache; stored in two steps, as Go does.
///
/// A key leads to the list of what the last passing run consulted (what its tests read, when traced, and
/// under an action ID what the build read), and the current state of those files and variables leads to
/// the result.
struct ResultCache: Sendable {
    let store: ResultStore
    /// Asked for what the local store misses, and given every new entry; nil for none.
    let shared: (any SharedCache)?
    let planner: KeyPlanner
    /// Whether runs are traced: what their tests read is then part of their input lists.
    let traced: Bool
    let memos: EngineMemos
    let log: EngineLog
    /// Whether this run kept the dependencies' files for explain already: once a run is enough.
    let dependenciesRemembered = OnceFlag()

    /// What the first look under one key learned, kept so that a second look (after fetching from the
    /// shared cache) does not hash the inputs' state again.
    private struct Probe {
        var lookup: CacheLookup
        var inputs: TestInputs?
        var resultKey: ActionID?
    }

    /// Looks each target up under its key in the local store, then the misses in the shared cache (what it
    /// has is fetched into the local store first). Gives one lookup per request, in the requests' order.
    /// A run whose results are all local never asks the shared cache. `builtIn`, the build directory, is
    /// given for content IDs: products the tests ran are then keyed by what was built.
    func lookUp(_ requests: [(target: PackageTarget, key: ActionID)], builtIn: String? = nil) async -> [CacheLookup] {
        var probes = requests.map { probe($0.key, for: $0.target, builtIn: builtIn) }
        let missing = probes.indices.filter { probes[$0].lookup.result == nil }
        guard let shared, !missing.isEmpty else { return probes.map(\.lookup) }
        await shared.fetch(missing.map { requests[$0].key }, into: store)
        // The input lists fetched just now lead to result keys; the ones known already were made above.
        var resultKeys: [ActionID] = []
        for index in missing {
            if probes[index].resultKey == nil {
                learn(requests[index].key, for: requests[index].target, builtIn: builtIn, into: &probes[index])
            }
            if let key = probes[index].resultKey { resultKeys.append(key) }
        }
        await shared.fetch(resultKeys, into: store)
        for index in missing {
            let again = probe(requests[index].key, for: requests[index].target, builtIn: builtIn, known: probes[index])
            if case .hit(let result, let inputs, _) = again.lookup {
                probes[index].lookup = .hit(result, inputs: inputs, fromSharedCache: true)
            }
        }
        return probes.map(\.lookup)
    }

    /// Looks a target up under `key` in the local store only.
    func lookUpLocally(_ key: ActionID, for target: PackageTarget) -> CacheLookup {
        probe(key, for: target).lookup
    }

    private func probe(_ key: ActionID, for target: PackageTarget, builtIn: String? = nil, known: Probe? = nil) -> Probe {
        var probe = known ?? Probe(lookup: .miss(.notAnInputList))
        if probe.resultKey == nil {
            learn(key, for: target, builtIn: builtIn, into: &probe)
        }
        guard let resultKey = probe.resultKey, let inputs = probe.inputs else { return probe }
        switch result(under: resultKey, for: target) {
        case .hit(let result, _, _): probe.lookup = .hit(result, inputs: inputs, fromSharedCache: false)
        case .miss: probe.lookup = .miss(.inputsChanged(inputs))
        }
        return probe
    }

    /// Reads the input list under `key` and makes the key of the result for its inputs' current state.
    private func learn(_ key: ActionID, for target: PackageTarget, builtIn: String?, into probe: inout Probe) {
        switch store.output(for: key) {
        case .hit(let stored):
            guard let inputs = InputsRecord.decode(stored.bytes) else {
                probe.lookup = .miss(.notAnInputList)
                return
            }
            guard inputs.build.prebuildTargets.isEmpty else {
                probe.lookup = .miss(.prebuild(inputs.build.prebuildTargets))
                return
            }
            probe.inputs = inputs
            probe.resultKey = planner.resultKey(key, state: planner.stateKey(of: inputs, for: target, builtIn: builtIn))
        case .miss(let reason):
            probe.lookup = .miss(.store(reason))
        }
    }

    /// The stored passing result under `key`.
    private func result(under key: ActionID, for target: PackageTarget) -> CacheLookup {
        switch store.output(for: key) {
        case .hit(let stored):
            guard let result = ResultRecord.decode(stored.bytes, name: target.name) else { return .miss(.notAResult) }
            return .hit(result, inputs: nil, fromSharedCache: false)
        case .miss(let reason):
            return .miss(.store(reason))
        }
    }

    // MARK: Storing

    /// Stores a finished run of `plan` when it may be: it passed, its output is whole, what it read is
    /// known (`baseline` is what every test process reads), and none of that changed while it ran. What
    /// the build read is the plan's, with what it read for the products the tests ran. With results per
    /// test, each test that passed now is stored under its own key too, whatever the others did, and
    /// the whole target's result depends on what the replayed tests' runs read as well.
    func store(_ run: TargetRun, of built: BuiltTarget, baseline: Set<String>, readings: BuildReadings, builtIn: String) {
        let plan = built.plan
        guard run.storable || run.testsStorable, plan.uncachedReason == nil else { return }
        let target = plan.target
        if let incomplete = readings.incompleteReason {
            log.target(target.name, "\(incomplete), so what the build read is not known: not stored")
            return
        }
        let fresh = traced ? inputs(of: run, for: target, baseline: baseline) : TestInputs.none
        if let changed = changedDuringRun(fresh, since: run.started) {
            log.target(target.name, "\(changed) changed while the tests ran: not stored")
            return
        }
        var buildInputs = built.buildInputs.merging(readings.inputs(forProducts: fresh.products))
        // A failure no listed test owns (a crash after the last test, a class's tearDown, a leak report
        // at exit) may come from any of them: then no test's pass is stored alone.
        let failures = Set(run.result.tests.filter(\.failsTheRun).map(\.id))
        let explained = !run.result.status.isFailure || (!failures.isEmpty && failures.isSubset(of: run.perTest?.toRun ?? []))
        if let perTest = run.perTest, run.testsStorable, explained {
            var perTestInputs = fresh
            // What the linker read is in no per-test key (they hash objects): it goes with each record.
            perTestInputs.build = buildInputs
            var stored = 0
            for test in run.result.tests where test.cached != true && perTest.toRun.contains(test.id) {
                // A quarantined test's pass is never stored: it would be replayed as evidence.
                guard test.outcome == .passed || test.outcome == .skipped, test.quarantined != true, let key = perTest.keys[test.id]
                else { continue }
                var result = TargetResult(name: target.name, status: .passed, output: Array(test.output.utf8))
                result.duration = .nanoseconds(Int64((Seconds.bounded(test.elapsed) * 1e9).rounded()))
                result.tests = [test]
                file(result, inputs: perTestInputs, actionID: nil, contentID: key, builtIn: builtIn, for: target)
                stored += 1
            }
            log.target(target.name, "stored \(stored) tests one by one")
        }
        guard run.storable else { return }
        var inputs = fresh.merging(run.perTest?.replayedInputs ?? [])
        buildInputs = built.buildInputs.merging(readings.inputs(forProducts: inputs.products))
        inputs.build = buildInputs
        log.target(target.name, "stored with what it read: files \(inputs.files), directories \(inputs.directories), "
            + "variables \(inputs.variables)\(inputs.wholeEnvironment ? ", the whole environment" : ""), "
            + "products \(inputs.products), files the build read \(inputs.build.compilerFiles + inputs.build.pluginInputs + inputs.build.linkerInputs)")
        file(run.result, inputs: inputs, actionID: plan.actionID, contentID: built.contentID, builtIn: builtIn, for: target)
    }

    /// Stores a passing result under its action ID (only if that is still what the target's inputs hash
    /// to: a file edited while the package was built or tested makes the result unsafe to replay for the
    /// new sources) and its content ID: the result under each key and its inputs' state now, and the input
    /// list under the key. Under the content ID, what the build read is left out of the list, since the
    /// content ID hashes what that reading made, and products the tests ran are keyed by what was built
    /// in `builtIn`. Filed under the action ID, what that ID and the state were made of is kept for `explain`.
    func file(
        _ result: TargetResult, inputs: TestInputs, actionID: ActionID?, contentID: ActionID?, builtIn: String,
        for target: PackageTarget
    ) {
        let confirmed = actionID.flatMap { recheck($0, of: target) }
        // The action ID's list comes first: its state is what explain compares with.
        var lists: [(key: ActionID, inputs: TestInputs, builtIn: String?)] = confirmed.map { [($0.id, inputs, nil)] } ?? []
        lists += contentID.map { [($0, inputs.withoutBuildInputs, builtIn)] } ?? []
        guard write(result, lists: lists, for: target, recordingFirstStateInto: confirmed?.fields) else { return }
        if let confirmed { rememberForExplain(confirmed.fields, inputs: inputs, of: target) }
    }

    /// An action ID hashed again now, with every field it is made of, when it is still `actionID`; nil
    /// (and said) when an input changed since it was made.
    private func recheck(_ actionID: ActionID, of target: PackageTarget) -> (id: ActionID, fields: KeyComponentCollector)? {
        let fields = KeyComponentCollector()
        guard planner.recordedActionID(of: target, record: fields.recorder) == actionID else {
            log.target(target.name, "inputs changed during the run: not stored under action ID \(actionID.hex.prefix(16))")
            return nil
        }
        return (actionID, fields)
    }

    /// Writes the input list under each key and the result under each key with its inputs' state now;
    /// the first list's state fields go to `fields`. False when a record could not be encoded.
    private func write(
        _ result: TargetResult, lists: [(key: ActionID, inputs: TestInputs, builtIn: String?)], for target: PackageTarget,
        recordingFirstStateInto fields: KeyComponentCollector?
    ) -> Bool {
        let hasher = planner.freshHasher()
        for (index, list) in lists.enumerated() {
            let state = planner.stateKey(
                of: list.inputs, for: target, hasher: hasher, record: index == 0 ? fields?.recorder : nil, builtIn: list.builtIn)
            guard let inputsRecord = InputsRecord.encode(list.inputs), let resultRecord = ResultRecord.encode(result) else {
                log.target(target.name, "its result or input list could not be encoded: not stored")
                return false
            }
            share(list.key, inputsRecord)
            if list.inputs.build.prebuildTargets.isEmpty {
                share(planner.resultKey(list.key, state: state), resultRecord)
            }
        }
        return true
    }

    /// Keeps what the stored result's keys were made of, for `explain` to compare with later: the
    /// target's own fields with it, the dependency packages' files once for the package.
    private func rememberForExplain(_ fields: KeyComponentCollector, inputs: TestInputs, of target: PackageTarget) {
        let collected = fields.collected
        let dependencyFiles = collected.filter { $0.key.kind == .dependencyFile }
        let own = dependencyFiles.isEmpty ? collected : collected.filter { $0.key.kind != .dependencyFile }
        let root = planner.hasher.root
        memos.remember(KeyComponents(fields: own, inputs: inputs), of: target.name, root: root)
        if !dependencyFiles.isEmpty && dependenciesRemembered.claim() {
            memos.rememberDependencyFields(dependencyFiles, root: root)
        }
    }

    /// Stores an entry locally and gives it to the shared cache, if any.
    private func share(_ key: ActionID, _ bytes: [UInt8]) {
        store.put(key, bytes)
        shared?.upload(key, bytes)
    }

    /// The inputs of a run from its trace: an untraced run (no process, as for `--list`) consulted nothing.
    private func inputs(of run: TargetRun, for target: PackageTarget, baseline: Set<String>) -> TestInputs {
        let configuration = planner.configuration
        let root = configuration.packagePath
        var ignored: [String] = []
        if let scratch = configuration.build.scratchPath, scratch.hasPrefix(root + "/") {
            ignored.append(String(scratch.dropFirst(root.count + 1)))
        }
        let settings = planner.settings.settings(for: target.name)
        return TestInputs(
            log: run.trace ?? TraceLog(), root: root, ignoredDirectories: ignored, baselineVariables: baseline,
            ignoresVariable: { $0 == CoverageCollector.profileVariable || settings.ignores($0) }, buildDirectory: configuration.build.scratchDirectory(root: root),
            products: planner.model.products)
    }

    /// A traced input file changed after the run started: the result may describe neither state.
    private func changedDuringRun(_ inputs: TestInputs, since start: Int64) -> String? {
        inputs.files.first { file in
            guard let status = FileSystem.status(following: planner.hasher.root + "/" + file) else { return false }
            return max(status.modified, status.changed) >= start
        }
    }
}
