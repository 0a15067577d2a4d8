public import TestCacheRemote
public import TestCacheStore
import Foundation

/// Runs a package's tests per target and caches every passing result: Go's `go test` cache for SwiftPM.
///
/// A run hashes each selected test target's inputs into an action ID and looks it up. When every target
/// hits, nothing is built or run. Otherwise the package is built once, its tests are listed once, and
/// the targets that missed run in parallel, each printed in target order when its turn comes.
public struct TestEngine: Sendable {
    let configuration: EngineConfiguration
    /// The store for results and for the engine's memos; nil runs without any cache.
    let store: ResultStore?
    let output: EngineOutput
    /// The shared cache asked after the local store, and given every new result; nil for none.
    let remote: RemoteCache?

    public init(configuration: EngineConfiguration, store: ResultStore?, output: EngineOutput, remote: RemoteCache? = nil) {
        self.configuration = configuration
        self.store = store
        self.output = output
        self.remote = store == nil ? nil : remote
    }

    /// What a run and `explain` both start from: the package described, its settings read, its
    /// package-wide inputs hashed.
    private struct Session: Sendable {
        let hasher: InputHasher
        let previousRecords: [String: StatRecord]
        let keys: ActionKeys
        let toolchain: Toolchain
        let model: PackageModel
        let settings: PackageSettings
        let targets: [PackageTarget]
        let inputs: PackageInputs
    }

    /// Loads the package and its settings and hashes what every key shares; nil when it has no test targets.
    private func prepare(runner: CommandRunner) async throws -> Session? {
        let root = configuration.packagePath
        guard FileSystem.status(following: root + "/Package.swift")?.isRegular == true else {
            throw EngineError("\(root) is not a SwiftPM package: it has no Package.swift")
        }
        let settings = try PackageSettings.load(root: root)
        let previousRecords = store?.output(for: statCacheKey(root)).value.map { StatCacheFormat.decode($0.bytes) } ?? [:]
        let hasher = InputHasher(root: root, previous: previousRecords, now: StoreConfiguration.systemClock())
        let keys = ActionKeys(salt: configuration.salt, trace: configuration.debug.hash ? errorLine : nil)
        let environment = configuration.environment
        let (toolchain, model, key) = try await toolchainAndModel(keys: keys, hasher: hasher, runner: runner)
        var descriptionKey = key
        let targets = try selectTargets(model)
        try settings.validate(testTargets: model.testTargets.map(\.name))
        guard !targets.isEmpty else {
            output.standardError("swift-testcache: package \(model.name) has no test targets\n")
            return nil
        }
        if try await resolveIfUnpinned(model, toolchain: toolchain, runner: runner) {
            // The pins are part of the description's key: file the model under the key with them.
            descriptionKey = keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
            remember(model, under: descriptionKey)
        }
        let inputs = keys.packageInputs(
            descriptionKey: descriptionKey, model: model, build: configuration.build, hasher: hasher, environment: environment)
        return Session(
            hasher: hasher, previousRecords: previousRecords, keys: keys, toolchain: toolchain, model: model,
            settings: settings, targets: targets, inputs: inputs)
    }

    /// Runs the tests; gives the exit status (0 all passed, 1 any failed). Throws ``EngineError`` for bad
    /// input (not a package, a manifest that does not load, an unknown target, a bad regex, bad settings).
    public func run() async throws -> Int32 {
        let selection = try TestSelection(filters: configuration.test.filters, skips: configuration.test.skips)
        let runner = CommandRunner(echo: configuration.test.printCommands ? errorLine : nil)
        guard let session = try await prepare(runner: runner) else { return 0 }

        let status = configuration.progressIsTerminal ? StatusLine(write: output.standardError) : nil
        let reporter = OrderedReporter(
            showsOutput: configuration.test.verbose || configuration.test.list, output: output, status: status)
        let resultStore = configuration.test.cacheDisabledReason == nil ? store : nil
        let misses = await lookUp(session, resultStore: resultStore, reporter: reporter)
        saveStatCache(session.hasher, previous: session.previousRecords, key: statCacheKey(configuration.packagePath))

        var failed = false
        if !misses.isEmpty {
            failed = try await buildAndRun(misses, session: session, runner: runner, selection: selection,
                resultStore: resultStore, reporter: reporter, status: status)
        }
        if let remote {
            await remote.flush()
            if configuration.test.verbose || configuration.debug.remote {
                let counters = remote.counters
                output.standardError("swift-testcache: remote cache: \(counters.hits) hits, \(counters.misses) misses, "
                    + "\(counters.uploads) uploads, \(counters.bytesDown) bytes down, \(counters.bytesUp) bytes up, "
                    + "\(counters.failures) failures\n")
            }
        }
        store?.trimIfDue()
        return failed ? 1 : 0
    }

    /// Brings what the remote cache has under these keys into the local store: the entries under the
    /// keys themselves, then, traced, the results under each key and its input list's current state.
    private func prefetch(_ keyed: [(target: PackageTarget, key: ActionID)], in session: Session, store: ResultStore) async {
        guard let remote, !keyed.isEmpty else { return }
        await remote.fetch(keyed.map(\.key), into: store)
        guard configuration.tracer != nil else { return }
        var resultKeys: [ActionID] = []
        for (target, key) in keyed {
            guard let stored = store.output(for: key).value, let inputs = InputsRecord.decode(stored.bytes) else { continue }
            resultKeys.append(resultKey(key, state: stateKey(of: inputs, for: target, in: session, hasher: session.hasher)))
        }
        await remote.fetch(resultKeys, into: store)
    }

    /// Says for each selected target whether the next run would replay it, and if not what changed since
    /// its last stored result, in a few lines each; builds and runs nothing. Gives the exit status.
    public func explain() async throws -> Int32 {
        guard let session = try await prepare(runner: CommandRunner(echo: nil)) else { return 0 }
        for target in session.targets {
            output.standardOutput(explanation(of: target, in: session).map { $0 + "\n" }.joined())
        }
        return 0
    }

    /// The lines `explain` prints for one target.
    private func explanation(of target: PackageTarget, in session: Session) -> [String] {
        let name = target.name
        if !session.settings.settings(for: name).cache {
            return ["\(name): not cached: \(PackageSettings.fileName) sets cache to false"]
        }
        if let reason = configuration.test.cacheDisabledReason ?? session.inputs.unkeyableReason {
            return ["\(name): not cached: \(reason)"]
        }
        guard let store else { return ["\(name): not cached: no store"] }
        let id = actionID(of: target, in: session)
        if find(id, for: target, in: session, store: store, hasher: session.hasher).result != nil { return ["\(name): cached"] }
        guard let stored = storedComponents(of: target) else {
            return ["\(name): not cached: no result of this checkout is stored (it never passed here, or was cleaned)"]
        }
        // Only a miss pays for recording every field: the hit above used this run's memos.
        let collector = KeyComponentCollector()
        _ = actionID(of: target, in: session, record: collector.recorder)
        if let inputs = stored.inputs {
            _ = stateKey(of: inputs, for: target, in: session, hasher: session.hasher, record: collector.recorder)
        }
        let changes = KeyComponents(fields: collector.collected).changes(since: stored)
        guard !changes.isEmpty else {
            return ["\(name): not cached: nothing it depends on changed, but its stored result is gone (trimmed or cleaned)"]
        }
        // What is built changed: the next run builds, and replays the result after all if what is built
        // for the target comes out the same (a comment edit, say).
        let builds = changes.contains(where: \.rebuilds)
        var lines = ["\(name): not cached\(builds ? " unless what is built for it comes out the same" : ""):"]
        lines += changes.prefix(Self.explainedChanges).map { "    " + $0.text }
        if changes.count > Self.explainedChanges { lines.append("    and \(changes.count - Self.explainedChanges) more changes") }
        return lines
    }

    /// How many changes `explain` lists per target: the first few say why; a long list says little more.
    static let explainedChanges = 6

    /// The key `explain` keeps a target's last stored key components under: local to this checkout.
    private func componentsKey(of target: PackageTarget) -> ActionID {
        var hasher = KeyHasher(name: "explain", salt: configuration.salt)
        hasher.update(field: "root", configuration.packagePath)
        hasher.update(field: "target", target.name)
        return hasher.finalize()
    }

    private func storedComponents(of target: PackageTarget) -> KeyComponents? {
        guard let stored = store?.output(for: componentsKey(of: target)).value else { return nil }
        return try? JSONDecoder().decode(KeyComponents.self, from: Data(stored.bytes))
    }

    /// The action ID of `target` as its inputs are now. With `record`, every field is recorded, and
    /// every key is made afresh rather than taken from this run's memos.
    private func actionID(of target: PackageTarget, in session: Session, record: KeyRecorder? = nil) -> ActionID {
        let environment = configuration.environment
        guard let record else {
            return session.keys.actionID(for: target, model: session.model, inputs: session.inputs, test: configuration.test,
                hasher: session.hasher, settings: session.settings.settings(for: target.name), environment: environment)
        }
        var keys = session.keys
        keys.record = record
        let hasher = InputHasher(root: session.hasher.root, previous: session.hasher.records, now: StoreConfiguration.systemClock())
        let description = keys.descriptionKey(toolchain: session.toolchain, hasher: hasher, environment: environment)
        let inputs = keys.packageInputs(
            descriptionKey: description, model: session.model, build: configuration.build, hasher: hasher, environment: environment)
        return keys.actionID(for: target, model: session.model, inputs: inputs, test: configuration.test, hasher: hasher,
            settings: session.settings.settings(for: target.name), environment: environment)
    }

    /// Looks every target up by its action ID; delivers the hits and gives the misses (with their IDs
    /// when caching is on and the package can be keyed before building).
    private func lookUp(
        _ session: Session, resultStore: ResultStore?, reporter: OrderedReporter
    ) async -> [(index: Int, target: PackageTarget, actionID: ActionID?)] {
        var misses: [(index: Int, target: PackageTarget, actionID: ActionID?)] = []
        let ids = session.targets.map { target -> ActionID? in
            let cached = resultStore != nil && session.inputs.unkeyableReason == nil && session.settings.settings(for: target.name).cache
            return cached ? actionID(of: target, in: session) : nil
        }
        let keyed = zip(session.targets, ids).compactMap { target, id in id.map { (target: target, key: $0) } }
        var found: [Lookup]?
        if let resultStore { found = await findAll(keyed, in: session, store: resultStore) }
        var position = 0
        for (index, target) in session.targets.enumerated() {
            let uncached = session.settings.settings(for: target.name).cache ? nil : "\(PackageSettings.fileName) sets cache to false"
            guard let id = ids[index], let lookup = found?[position] else {
                debug(target, "not cached: \(configuration.test.cacheDisabledReason ?? session.inputs.unkeyableReason ?? uncached ?? "no store")")
                misses.append((index, target, nil))
                continue
            }
            position += 1
            if let result = lookup.result {
                debug(target, "hit on action ID \(id.hex.prefix(16))\(lookup.remote ? ", fetched from the remote cache" : "")")
                await reporter.deliver(index, result)
                continue
            }
            debug(target, "miss on action ID \(id.hex.prefix(16)): \(lookup.why)")
            misses.append((index, target, id))
        }
        if configuration.debug.test {
            output.standardError("testcache: read \(session.hasher.filesRead) of \(session.hasher.filesSeen) input files; the others were unchanged since last hashed\n")
        }
        return misses
    }

    /// One key's lookup: what ``find(_:for:in:store:hasher:)`` gave, and whether the remote cache supplied it.
    private struct Lookup {
        var result: TargetResult?
        var inputs: TestInputs?
        var why: String
        var remote = false
    }

    /// Looks each key up in the local store, then the misses in the remote cache (what it has is fetched
    /// into the local store first): a run whose results are all local never loads the HTTP client.
    private func findAll(_ keyed: [(target: PackageTarget, key: ActionID)], in session: Session, store: ResultStore) async -> [Lookup] {
        func lookUp(_ entry: (target: PackageTarget, key: ActionID)) -> Lookup {
            let found = find(entry.key, for: entry.target, in: session, store: store, hasher: session.hasher)
            return Lookup(result: found.result, inputs: found.inputs, why: found.why)
        }
        var lookups = keyed.map(lookUp)
        let missing = lookups.indices.filter { lookups[$0].result == nil }
        guard remote != nil, !missing.isEmpty else { return lookups }
        await prefetch(missing.map { keyed[$0] }, in: session, store: store)
        for index in missing {
            var again = lookUp(keyed[index])
            again.remote = again.result != nil
            if again.remote { lookups[index] = again }
        }
        return lookups
    }

    /// Looks a result up under `key`. Traced, `key` leads to the list of what the last passing run
    /// consulted, and the current state of those files and variables leads to the result (Go's two-step
    /// lookup); untraced, `key` leads to the result itself. Gives the result, the input list, and why not.
    private func find(
        _ key: ActionID, for target: PackageTarget, in session: Session, store: ResultStore, hasher: InputHasher
    ) -> (result: TargetResult?, inputs: TestInputs?, why: String) {
        func result(under key: ActionID) -> (TargetResult?, String) {
            switch store.output(for: key) {
            case .hit(let stored):
                let result = ResultRecord.decode(stored.bytes, name: target.name)
                return (result, result == nil ? "not a stored passing result" : "hit")
            case .miss(let reason):
                return (nil, "\(reason)")
            }
        }
        guard configuration.tracer != nil else {
            let (found, why) = result(under: key)
            return (found, nil, why)
        }
        let inputs: TestInputs
        switch store.output(for: key) {
        case .hit(let stored):
            guard let decoded = InputsRecord.decode(stored.bytes) else { return (nil, nil, "not a stored input list") }
            inputs = decoded
        case .miss(let reason):
            return (nil, nil, "\(reason)")
        }
        let state = stateKey(of: inputs, for: target, in: session, hasher: hasher)
        let (found, why) = result(under: resultKey(key, state: state))
        let changed = "what its last passing run read has changed (\(inputs.files.count) files, "
            + "\(inputs.directories.count) directories, \(inputs.variables.count) variables, \(inputs.products.count) products"
            + (inputs.wholeEnvironment ? ", the whole environment)" : ")")
        return (found, inputs, found != nil ? why : changed)
    }

    /// The key of the current state of what a run of `target` consulted: the environment without the
    /// variables the package's settings ignore, and each product by its targets' sources.
    private func stateKey(
        of inputs: TestInputs, for target: PackageTarget, in session: Session, hasher: InputHasher, record: KeyRecorder? = nil
    ) -> ActionID {
        let settings = session.settings.settings(for: target.name)
        let environment = settings.ignoredVariables.isEmpty
            ? configuration.environment : configuration.environment.filter { !settings.ignores($0.key) }
        var keys = session.keys
        keys.record = record
        return inputs.stateKey(hasher: hasher, environment: environment, salt: configuration.salt, record: record) { name in
            session.model.products.first { $0.name == name }.map { keys.productKey($0, model: session.model, hasher: hasher) }
        }
    }

    /// The key of a result under `key` when its traced inputs are in `state`.
    private func resultKey(_ key: ActionID, state: ActionID) -> ActionID {
        var hasher = KeyHasher(name: "test-result", salt: configuration.salt)
        hasher.update(key)
        hasher.update(state)
        return hasher.finalize()
    }

    /// Stores a passing result under its action ID (only if that is still what the target's inputs hash
    /// to: a file edited while the package was built or tested makes the result unsafe to replay for the
    /// new sources) and its content ID. Traced, the result goes under each key and its inputs' state now
    /// (hashed once for both), and the input list under the key; untraced, the result under the key.
    /// Filed under the action ID, what that ID and the state were made of is kept for `explain`.
    private func file(
        _ result: TargetResult, inputs: TestInputs?, actionID: ActionID?, contentID: ActionID? = nil,
        for target: PackageTarget, in session: Session, store: ResultStore
    ) {
        let collector = KeyComponentCollector()
        var keys = contentID.map { [$0] } ?? []
        var current: ActionID?
        if let actionID {
            current = self.actionID(of: target, in: session, record: collector.recorder)
            if current == actionID {
                keys.insert(actionID, at: 0)
            } else {
                debug(target, "inputs changed during the run: not stored under action ID \(actionID.hex.prefix(16))")
            }
        }
        if configuration.tracer != nil, let inputs {
            let hasher = InputHasher(root: configuration.packagePath, previous: [:], now: StoreConfiguration.systemClock())
            let state = stateKey(of: inputs, for: target, in: session, hasher: hasher, record: collector.recorder)
            for key in keys {
                share(resultKey(key, state: state), ResultRecord.encode(result), in: store)
                share(key, InputsRecord.encode(inputs), in: store)
            }
        } else {
            for key in keys { share(key, ResultRecord.encode(result), in: store) }
        }
        if let actionID, current == actionID {
            let components = KeyComponents(fields: collector.collected, inputs: inputs)
            if let encoded = try? JSONEncoder().encode(components) { store.put(componentsKey(of: target), Array(encoded)) }
        }
    }

    /// Stores an entry locally and uploads it to the remote cache, if any.
    private func share(_ key: ActionID, _ bytes: [UInt8], in store: ResultStore) {
        store.put(key, bytes)
        remote?.upload(key, bytes)
    }

    /// The inputs of a run from its trace: an untraced run (no process, as for `--list`) consulted nothing.
    private func inputs(of result: TargetResult, for target: PackageTarget, in session: Session, baseline: Set<String>) -> TestInputs {
        let root = configuration.packagePath
        var ignored: [String] = []
        if let scratch = configuration.build.scratchPath, scratch.hasPrefix(root + "/") {
            ignored.append(String(scratch.dropFirst(root.count + 1)))
        }
        let settings = session.settings.settings(for: target.name)
        return TestInputs(
            log: result.trace ?? TraceLog(), root: root, ignoredDirectories: ignored, baselineVariables: baseline,
            ignoresVariable: settings.ignores, buildDirectory: configuration.build.scratchPath ?? root + "/.build",
            products: session.model.products)
    }

    /// A traced input file changed after the run started: the result may describe neither state.
    private func changedDuringRun(_ inputs: TestInputs, since start: Int64) -> String? {
        inputs.files.first { file in
            guard let status = FileSystem.status(following: configuration.packagePath + "/" + file) else { return false }
            return max(status.modified, status.changed) >= start
        }
    }

    /// Remembers file hashes for the next run. A run of every target saw every file, so its records
    /// replace the old ones (dropping deleted files); a run of some targets adds to the others' records.
    private func saveStatCache(_ hasher: InputHasher, previous: [String: StatRecord], key: ActionID) {
        let records = configuration.targets.isEmpty ? hasher.records : previous.merging(hasher.records) { $1 }
        if records != previous {
            store?.put(key, StatCacheFormat.encode(records))
        }
    }

    // MARK: Steps

    /// The toolchain and the package description, each from the store when remembered.
    ///
    /// When the toolchain is not remembered (a new store, or a new toolchain), the description will not be
    /// either, since the toolchain is part of its key: `swift package describe` then starts beside
    /// `swift --version` instead of after it, and is cancelled in the rare case it was not needed.
    /// Gives the description's key too.
    private func toolchainAndModel(
        keys: ActionKeys, hasher: InputHasher, runner: CommandRunner
    ) async throws -> (Toolchain, PackageModel, ActionID) {
        let environment = configuration.environment
        let swiftPath = try Toolchain.locateSwift(environment: environment)
        if let toolchain = Toolchain.remembered(swiftPath: swiftPath, store: store, salt: configuration.salt) {
            let key = keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
            if let model = rememberedModel(key) { return (toolchain, model, key) }
            let model = try await describePackage(swiftPath: swiftPath, runner: runner)
            remember(model, under: key)
            return (toolchain, model, key)
        }
        async let described = describePackage(swiftPath: swiftPath, runner: runner)
        let toolchain = try await Toolchain.identify(
            swiftPath: swiftPath, environment: environment, store: store, salt: configuration.salt, runner: runner)
        let key = keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
        if let model = rememberedModel(key) { return (toolchain, model, key) }
        let model = try await described
        remember(model, under: key)
        return (toolchain, model, key)
    }

    /// The package description stored under `key`, if any and readable.
    private func rememberedModel(_ key: ActionID) -> PackageModel? {
        guard let stored = store?.output(for: key).value else { return nil }
        return try? JSONDecoder().decode(PackageModel.self, from: Data(stored.bytes))
    }

    private func remember(_ model: PackageModel, under key: ActionID) {
        if let encoded = try? JSONEncoder().encode(model) { store?.put(key, Array(encoded)) }
    }

    /// Runs `swift package describe` and reads the manifest for the targets' order.
    private func describePackage(swiftPath: String, runner: CommandRunner) async throws -> PackageModel {
        let root = configuration.packagePath
        let described = try await runner.capture(
            swiftPath, packageCommand() + ["describe", "--type", "json"], workingDirectory: root,
            environment: swiftPMEnvironment(swiftPath))
        guard described.termination == .exited(0) else {
            output.standardError(String(decoding: described.stderr, as: UTF8.self))
            throw EngineError("cannot load the package at \(root): its manifest did not evaluate")
        }
        let manifest = FileSystem.contents(root + "/Package.swift") ?? []
        return try PackageModel(describeJSON: described.stdout, manifest: manifest, root: root)
    }

    /// The environment SwiftPM runs in: the user's, with `_` naming `swift` as a shell sets it.
    ///
    /// SwiftPM keys its manifest cache and its build plan on the whole environment, and a shell sets `_`
    /// to the path of the command it runs. Left as it is, `_` would name swift-testcache, so each switch
    /// between the user's `swift build` and a run of this tool would re-evaluate manifests and re-plan the
    /// build: measured at 2.4 s of a 3.3 s no-op build, and 1 s of describing, on 130 targets.
    private func swiftPMEnvironment(_ swiftPath: String) -> [String: String] {
        var environment = configuration.environment
        environment["_"] = swiftPath
        return environment
    }

    /// `swift package` with this run's package path and scratch path, ready for a subcommand.
    private func packageCommand() -> [String] {
        ["package", "--package-path", configuration.packagePath]
            + (configuration.build.scratchPath.map { ["--scratch-path", $0] } ?? [])
    }

    /// Resolves the dependencies when they come from repositories and nothing pins them yet, so that
    /// `Package.resolved` names their exact versions before any key is made (SwiftPM would write it
    /// during the build anyway, too late for the lookups).
    /// Gives whether it resolved.
    private func resolveIfUnpinned(_ model: PackageModel, toolchain: Toolchain, runner: CommandRunner) async throws -> Bool {
        let root = configuration.packagePath
        guard model.hasRemoteDependencies, FileSystem.status(following: root + "/Package.resolved") == nil else {
            return false
        }
        let resolve = try await runner.runMerged(
            toolchain.swiftPath, packageCommand() + ["resolve"], workingDirectory: root,
            environment: swiftPMEnvironment(toolchain.swiftPath), timeout: Self.buildTimeout)
        guard resolve.termination == .exited(0) else {
            output.standardError(String(decoding: resolve.output, as: UTF8.self))
            throw EngineError("cannot resolve the dependencies of the package at \(root)")
        }
        return true
    }

    /// The test targets asked for, in the package's order; an unknown name is an error listing them.
    private func selectTargets(_ model: PackageModel) throws -> [PackageTarget] {
        let testTargets = model.testTargets
        for name in configuration.targets where !testTargets.contains(where: { $0.name == name }) {
            let known = testTargets.map(\.name).joined(separator: ", ")
            throw EngineError("no test target named '\(name)' in package \(model.name); its test targets are: \(known.isEmpty ? "none" : known)")
        }
        guard !configuration.targets.isEmpty else { return testTargets }
        return testTargets.filter { configuration.targets.contains($0.name) }
    }

    /// Builds the tests, lists them, and runs the targets that missed; gives whether any failed.
    private func buildAndRun(
        _ misses: [(index: Int, target: PackageTarget, actionID: ActionID?)], session: Session, runner: CommandRunner,
        selection: TestSelection, resultStore: ResultStore?, reporter: OrderedReporter, status: StatusLine?
    ) async throws -> Bool {
        let root = configuration.packagePath
        let (model, toolchain) = (session.model, session.toolchain)
        var buildProgress: (@Sendable ([UInt8]) -> Void)?
        if let status { buildProgress = { bytes in status.buildOutput(bytes) } }
        let build = try await runner.runMerged(
            toolchain.swiftPath, ["build", "--build-tests", "--package-path", root] + configuration.build.swiftBuildArguments,
            workingDirectory: root, environment: swiftPMEnvironment(toolchain.swiftPath), timeout: Self.buildTimeout,
            stream: buildProgress
        )
        status?.buildFinished()
        guard build.termination == .exited(0) else {
            output.standardError(String(decoding: build.output, as: UTF8.self))
            for miss in misses { await reporter.deliver(miss.index, TargetResult(name: miss.target.name, status: .buildFailed)) }
            return true
        }

        let scratch = configuration.build.scratchPath ?? root + "/.build"
        let buildDirectory = "\(scratch)/\(configuration.build.configuration)"
        let binary = "\(buildDirectory)/\(model.name)PackageTests.xctest"

        // The second level: what was built for each target that missed. A content hit is replayed, and
        // filed under the action ID too, so that the next run hits without building.
        var toRun: [(index: Int, target: PackageTarget, actionID: ActionID?, contentID: ActionID?)] = []
        let contentKeys = ContentKeys(
            salt: configuration.salt, trace: configuration.debug.hash ? errorLine : nil, buildDirectory: buildDirectory, model: model)
        let contentIDs = misses.map { miss -> ActionID? in
            guard miss.actionID != nil, resultStore != nil else { return nil }
            let declared = session.keys.declaredKey(
                session.settings.settings(for: miss.target.name), hasher: session.hasher, environment: configuration.environment)
            return contentKeys.contentID(for: miss.target, inputs: session.inputs, test: configuration.test, declared: declared)
        }
        let keyed = zip(misses, contentIDs).compactMap { miss, id in id.map { (target: miss.target, key: $0) } }
        var found: [Lookup] = []
        if let resultStore { found = await findAll(keyed, in: session, store: resultStore) }
        var position = 0
        for (miss, contentID) in zip(misses, contentIDs) {
            guard let actionID = miss.actionID, let resultStore, let contentID else {
                toRun.append((miss.index, miss.target, miss.actionID, nil))
                continue
            }
            let lookup = found[position]
            position += 1
            if let result = lookup.result {
                debug(miss.target, "hit on content ID \(contentID.hex.prefix(16))\(lookup.remote ? ", fetched from the remote cache" : "")")
                file(result, inputs: lookup.inputs, actionID: actionID, for: miss.target, in: session, store: resultStore)
                await reporter.deliver(miss.index, result)
                continue
            }
            debug(miss.target, "miss on content ID \(contentID.hex.prefix(16)): \(lookup.why)")
            toRun.append((miss.index, miss.target, actionID, contentID))
        }
        guard !toRun.isEmpty else { return false }

        // The tracer's logs, one per target run, read and removed as each run ends.
        let traceDirectory = configuration.tracer == nil ? nil : makeTraceDirectory()
        defer { if let traceDirectory { try? FileManager.default.removeItem(atPath: traceDirectory) } }
        // Without a place for the logs, what the tests read cannot be known: their results are not stored.
        let traceable = configuration.tracer == nil || traceDirectory != nil
        let inventory: TestInventory
        do {
            inventory = try await listTests(binary, runner: runner)
        } catch {
            output.standardError("swift-testcache: cannot list the tests of \(binary): \(error)\n")
            for miss in toRun { await reporter.deliver(miss.index, TargetResult(name: miss.target.name, status: .setupFailed)) }
            return true
        }

        var baseline: Set<String> = []
        if let traceDirectory {
            baseline = await baselineVariables(binary, runner: runner, traceDirectory: traceDirectory, toolchain: toolchain)
        }

        let streams = configuration.test.verbose && (toRun.count == 1 || configuration.test.jobs == 1)
        let show: @Sendable ([UInt8]) -> Void = { [output] bytes in output.standardOutput(String(decoding: bytes, as: UTF8.self)) }
        let targetRunner = TargetRunner(
            configuration: configuration, binary: binary, inventory: inventory, selection: selection, runner: runner,
            stream: streams ? show : nil,
            tracing: configuration.tracer.flatMap { library in traceDirectory.map { (library, $0) } }
        )
        // No live status while test output streams to the terminal: the two would overwrite each other.
        let status = streams ? nil : status
        let ticker = status.map { status in
            Task {
                while !Task.isCancelled {
                    status.tick()
                    try? await Task.sleep(for: Self.statusInterval)
                }
            }
        }
        defer {
            ticker?.cancel()
            status?.clear()
        }
        return await withTaskGroup(of: (Int, PackageTarget, TargetResult, ActionID?, ActionID?).self) { group in
            var pending = toRun[...]
            var failed = false
            func startNext() {
                guard let miss = pending.popFirst() else { return }
                status?.started(miss.target.name)
                group.addTask { (miss.index, miss.target, await targetRunner.run(miss.target), miss.actionID, miss.contentID) }
            }
            for _ in 0..<max(1, configuration.test.jobs) { startNext() }
            while let (index, target, result, actionID, contentID) = await group.next() {
                status?.finished(result.name)
                startNext()
                if result.status.isFailure { failed = true }
                // Only passing runs are stored, under both the action ID and the content ID.
                if result.storable, traceable, let resultStore {
                    let inputs = configuration.tracer == nil
                        ? nil : self.inputs(of: result, for: target, in: session, baseline: baseline)
                    if let inputs, let changed = changedDuringRun(inputs, since: result.started) {
                        debug(target, "\(changed) changed while the tests ran: not stored")
                    } else {
                        if let inputs {
                            debug(target, "stored with what it read: files \(inputs.files), directories \(inputs.directories), "
                                + "variables \(inputs.variables)\(inputs.wholeEnvironment ? ", the whole environment" : ""), "
                                + "products \(inputs.products)")
                        }
                        file(result, inputs: inputs, actionID: actionID, contentID: contentID, for: target, in: session,
                            store: resultStore)
                    }
                }
                await reporter.deliver(index, result)
            }
            return failed
        }
    }

    /// Lists the binary's XCTest and Swift Testing tests, both at once.
    /// Lists the binary's tests.
    private func listTests(_ binary: String, runner: CommandRunner) async throws -> TestInventory {
        guard FileSystem.status(following: binary)?.isRegular == true else {
            throw EngineError("the build made no test binary")
        }
        let root = configuration.packagePath
        async let xctest = runner.capture(binary, ["--list-tests"], workingDirectory: root, environment: configuration.environment)
        async let swiftTesting = runner.capture(
            binary, ["--testing-library", "swift-testing", "--list-tests"], workingDirectory: root,
            environment: configuration.environment)
        let (listedXCTest, listedSwiftTesting) = try await (xctest, swiftTesting)
        guard listedXCTest.termination == .exited(0) else {
            throw EngineError("XCTest's --list-tests ended with \(listedXCTest.termination)")
        }
        // Swift Testing exits 69 when the binary holds no Swift Testing tests at all.
        guard listedSwiftTesting.termination == .exited(0) || listedSwiftTesting.termination == .exited(69) else {
            throw EngineError("Swift Testing's --list-tests ended with \(listedSwiftTesting.termination)")
        }
        return TestInventory(
            xctest: TestInventory.byModule(TestInventory.parseXCTestListing(listedXCTest.stdout)),
            swiftTesting: TestInventory.byModule(TestInventory.parseSwiftTestingListing(listedSwiftTesting.stdout))
        )
    }

    /// The variables a test process reads whatever its tests do: the runtime's HOME, LANG, TZ, CF…,
    /// ICU's, XCTest's and Swift Testing's own switches. Measured, not written down: the test binary runs
    /// an empty XCTest selection and an empty Swift Testing filter under the tracer. They run no test
    /// code, so the answer depends on the toolchain alone and is remembered under its identity.
    private func baselineVariables(
        _ binary: String, runner: CommandRunner, traceDirectory: String, toolchain: Toolchain
    ) async -> Set<String> {
        var memo = KeyHasher(name: "trace-baseline", salt: configuration.salt)
        memo.update(field: "toolchain", toolchain.identity)
        let memoKey = memo.finalize()
        if let stored = store?.output(for: memoKey).value {
            return Set(String(decoding: stored.bytes, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        func traced(_ name: String) -> [String: String] {
            var environment = configuration.environment
            if let tracer = configuration.tracer {
                TraceLog.preload(tracer, log: "\(traceDirectory)/\(name)", into: &environment)
            }
            return environment
        }
        let root = configuration.packagePath
        // No test has these IDs; Swift Testing's `$` anchor matches nothing at all.
        async let xctest = runner.capture(
            binary, ["swift-testcache.Baseline"], workingDirectory: root, environment: traced("baseline-xctest"))
        async let swiftTesting = runner.capture(
            binary, ["--testing-library", "swift-testing", "--filter", "swift-testcache-baseline$"],
            workingDirectory: root, environment: traced("baseline-swift-testing"))
        _ = try? await (xctest, swiftTesting)
        var names: Set<String> = []
        for name in ["baseline-xctest", "baseline-swift-testing"] {
            guard let bytes = FileSystem.contents("\(traceDirectory)/\(name)") else { return [] }  // untraced: no baseline
            names.formUnion(TraceLog(parsing: bytes).variables)
        }
        store?.put(memoKey, Array(names.sorted().joined(separator: "\n").utf8))
        return names
    }

    /// A new private directory for this run's trace logs.
    private func makeTraceDirectory() -> String? {
        var template = Array((NSTemporaryDirectory() + "/swift-testcache-trace-XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
    }

    /// The key of this package checkout's stat cache: local to this machine and path, never shared.
    private func statCacheKey(_ root: String) -> ActionID {
        var hasher = KeyHasher(name: "stat-cache", salt: configuration.salt)
        hasher.update(field: "root", root)
        return hasher.finalize()
    }

    /// Writes a line to standard error.
    private var errorLine: @Sendable (String) -> Void {
        { [output] line in output.standardError(line + "\n") }
    }

    private func debug(_ target: PackageTarget, _ message: String) {
        if configuration.debug.test { output.standardError("testcache: \(target.name): \(message)\n") }
    }

    /// How often the live status is redrawn: often enough that its seconds tick steadily.
    static let statusInterval: Duration = .milliseconds(500)

    /// A build is not stopped for taking long: compiling is not the test's fault, and a day is beyond any build.
    static let buildTimeout: Duration = .seconds(24 * 3_600)
}

/// Runs one test target's tests from the package's single test binary.
struct TargetRunner: Sendable {
    let configuration: EngineConfiguration
    let binary: String
    let inventory: TestInventory
    let selection: TestSelection
    let runner: CommandRunner
    let stream: (@Sendable ([UInt8]) -> Void)?
    /// The read tracer and the directory its logs go to, one per target; nil runs untraced.
    let tracing: (library: String, directory: String)?

    func run(_ target: PackageTarget) async -> TargetResult {
        let module = target.moduleName
        let allXCTest = inventory.xctest[module] ?? []
        let allSwiftTesting = inventory.swiftTesting[module] ?? []
        var result = TargetResult(name: target.name, status: .passed, duration: .zero, streamed: stream != nil)
        guard !allXCTest.isEmpty || !allSwiftTesting.isEmpty else {
            result.status = .noTestFiles
            result.storable = true
            return result
        }
        let xctest = allXCTest.filter(selection.selects)
        let swiftTesting = allSwiftTesting.filter(selection.selects)
        if configuration.test.list {
            result.output = Array((xctest + swiftTesting).map { $0 + "\n" }.joined().utf8)
            result.storable = true
            return result
        }
        guard !xctest.isEmpty || !swiftTesting.isEmpty else {
            result.status = .noTestsToRun
            result.storable = true
            return result
        }

        var invocations = xctest.isEmpty ? [] : xctestSelections(xctest, allOfModule: allXCTest)
        if !swiftTesting.isEmpty {
            let filters = selection.isEverything
                ? ["--filter", "^" + regexLiteral(module) + "\\."]
                : swiftTesting.flatMap { ["--filter", "^" + regexLiteral($0)] }
            invocations.append(["--testing-library", "swift-testing"] + filters)
        }
        var environment = configuration.environment
        // As `swift test` does: no colour codes in output that is not going to a terminal.
        if !configuration.outputIsTerminal { environment["NO_COLOR"] = "1" }
        let log = tracing.map { "\($0.directory)/\(target.name).log" }
        if let tracing, let log {
            TraceLog.preload(tracing.library, log: log, into: &environment)
        }

        result.started = StoreConfiguration.systemClock()
        let start = ContinuousClock.now
        var truncated = false
        runs: for _ in 0..<(configuration.test.count ?? 1) {
            for arguments in invocations {
                var executable = binary
                var fullArguments = arguments + configuration.test.passthrough
                if let wrapper = configuration.test.execWrapper.first {
                    executable = wrapper
                    fullArguments = Array(configuration.test.execWrapper.dropFirst()) + [binary] + fullArguments
                }
                do {
                    let run = try await runner.runMerged(
                        executable, fullArguments, workingDirectory: configuration.packagePath,
                        environment: environment, timeout: configuration.test.timeout, stream: stream
                    )
                    result.output += run.output
                    truncated = truncated || run.truncated
                    if run.timedOut {
                        note("*** Test killed: ran too long (\(goDuration(configuration.test.timeout))).", &result)
                        result.status = .failed
                        break runs
                    }
                    switch run.termination {
                    case .exited(0): break
                    case .exited: result.status = .failed
                    case .signaled:
                        note("*** Test binary terminated by \(run.termination).", &result)
                        result.status = .failed
                    }
                } catch {
                    note("swift-testcache: cannot run \(executable): \(error)", &result)
                    result.status = .failed
                    break runs
                }
            }
        }
        result.duration = ContinuousClock.now - start
        result.storable = result.status == .passed && !truncated
        if let log {
            // Every traced process logs the runtime's own getenv calls; no log means the tracer did not
            // load, and what the run read is unknown: not storable.
            if let bytes = FileSystem.contents(log) {
                result.trace = TraceLog(parsing: bytes)
                unlink(log)
            } else {
                result.storable = false
            }
        }
        return result
    }

    /// Adds a line of the tool's own to a target's output (and to the live stream).
    private func note(_ line: String, _ result: inout TargetResult) {
        if let last = result.output.last, last != UInt8(ascii: "\n") { result.output.append(UInt8(ascii: "\n")) }
        let bytes = Array((line + "\n").utf8)
        result.output += bytes
        stream?(bytes)
    }
}
