import TestCacheStore

/// The one place that chains a run's keys: description key → package inputs → a target's action ID (or,
/// after the build, its content ID) → the state key of what its last run read → the result key.
///
/// ``ActionKeys`` and ``ContentKeys`` know how to hash each part; the planner knows which parts make
/// which key, for this package, these settings and these options.
struct KeyPlanner: Sendable {
    let keys: ActionKeys
    let configuration: EngineConfiguration
    let toolchain: Toolchain
    let model: PackageModel
    let settings: PackageSettings
    /// The run's hasher: its stat cache and its memo of trees are shared by every key of the run.
    let hasher: InputHasher
    /// What every key of the package shares.
    let inputs: PackageInputs
    /// For hashers made afresh, after files may have changed.
    let clock: @Sendable () -> Int64

    init(
        keys: ActionKeys, configuration: EngineConfiguration, toolchain: Toolchain, model: PackageModel,
        settings: PackageSettings, hasher: InputHasher, descriptionKey: ActionID, clock: @escaping @Sendable () -> Int64
    ) {
        self.keys = keys
        self.configuration = configuration
        self.toolchain = toolchain
        self.model = model
        self.settings = settings
        self.hasher = hasher
        self.clock = clock
        inputs = keys.packageInputs(
            descriptionKey: descriptionKey,
            contentDescriptionKey: keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: configuration.environment, pins: false),
            model: model, build: configuration.build, hasher: hasher, environment: configuration.environment)
    }

    /// The key the package description is remembered under: the first link of the chain, made before
    /// the model it leads to is known.
    static func descriptionKey(keys: ActionKeys, toolchain: Toolchain, hasher: InputHasher, environment: [String: String]) -> ActionID {
        keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
    }

    /// Why `target`'s result is neither looked up nor stored in this run, or nil when it is.
    func uncachedReason(for target: PackageTarget, storeAvailable: Bool) -> String? {
        if let reason = configuration.test.cacheDisabledReason { return reason }
        if let reason = inputs.unkeyableReason { return reason }
        if !settings.settings(for: target.name).cache { return "\(PackageSettings.fileName) sets cache to false" }
        return storeAvailable ? nil : "no store"
    }

    /// The action ID of `target` as its inputs are now, from this run's memos.
    func actionID(of target: PackageTarget) -> ActionID {
        keys.actionID(
            for: target, model: model, inputs: inputs, test: configuration.test, hasher: hasher,
            settings: settings.settings(for: target.name), environment: configuration.environment)
    }

    /// The action ID of `target` made afresh, every file hashed as it is now (through the run's stat
    /// records, so unchanged files are not read again), every field given to `record`.
    func recordedActionID(of target: PackageTarget, record: @escaping FieldRecorder) -> ActionID {
        var keys = self.keys
        keys.record = record
        let environment = configuration.environment
        let hasher = InputHasher(root: self.hasher.root, previous: self.hasher.records, now: clock())
        let description = keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
        let inputs = keys.packageInputs(
            descriptionKey: description, model: model, build: configuration.build, hasher: hasher, environment: environment)
        return keys.actionID(
            for: target, model: model, inputs: inputs, test: configuration.test, hasher: hasher,
            settings: settings.settings(for: target.name), environment: environment)
    }

    /// A hasher made afresh for the state of what tests read after they ran, sharing this run's stat
    /// records so that files unchanged since the lookup are not read again.
    func freshHasher() -> InputHasher {
        InputHasher(root: hasher.root, previous: hasher.records, now: clock())
    }

    /// The content ID of `target` after a successful build, or nil when its build products are not where
    /// SwiftPM puts them.
    ///
    /// When nothing traces what the tests read, it holds every data file of the target's closure too
    /// (every file of its directories that is not compiled): a test may read any of them (a snapshot
    /// beside it, through `#filePath`), and building does not tell. Every file of the dependency packages
    /// is in every content ID already, through the package-wide inputs.
    func contentID(of target: PackageTarget, from contentKeys: ContentKeys) -> ActionID? {
        let declared = keys.declaredKey(
            settings.settings(for: target.name), hasher: hasher, environment: configuration.environment)
        return contentKeys.contentID(
            for: target, inputs: inputs, test: configuration.test, declared: declared,
            untracedReads: configuration.tracer == nil ? untracedReadsKey(of: target) : nil)
    }

    /// One key per test of `target` (`tests`, its IDs), from what was built; nil when the build products
    /// are not where SwiftPM puts them. See ``ContentKeys/testKeys(for:tests:sources:inputs:test:declared:untracedReads:)``.
    func testKeys(of target: PackageTarget, tests: [String], from contentKeys: ContentKeys) -> ContentKeys.TestKeys? {
        let declared = keys.declaredKey(
            settings.settings(for: target.name), hasher: hasher, environment: configuration.environment)
        let sources = target.sourcePaths.sorted().compactMap { path in
            FileSystem.contents(hasher.root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
        }
        return contentKeys.testKeys(
            for: target, tests: tests, sources: sources, inputs: inputs, test: configuration.test, declared: declared,
            untracedReads: configuration.tracer == nil ? untracedReadsKey(of: target) : nil)
    }

    /// What a test of `target` could read unseen when runs are not traced: the data files of its
    /// closure's directories (everything they hold that is not compiled).
    func untracedReadsKey(of target: PackageTarget) -> ActionID {
        var key = FieldHasher(name: "untraced-reads", salt: configuration.salt, record: keys.record)
        for dependency in model.closure(of: target) {
            keys.addDataFiles(of: dependency, hasher: hasher, to: &key)
        }
        return key.finalize()
    }

    /// The key of the current state of what a run of `target` consulted: the environment without the
    /// variables the package's settings ignore, and each product by its targets' sources, or, with
    /// `builtIn` (the build directory, once built, for content IDs), by what was built.
    func stateKey(
        of inputs: TestInputs, for target: PackageTarget, hasher: InputHasher? = nil, record: FieldRecorder? = nil,
        builtIn buildDirectory: String? = nil
    ) -> ActionID {
        let hasher = hasher ?? self.hasher
        let targetSettings = settings.settings(for: target.name)
        let environment = targetSettings.ignoredVariables.isEmpty
            ? configuration.environment : configuration.environment.filter { !targetSettings.ignores($0.key) }
        var keys = self.keys
        keys.record = record
        return inputs.stateKey(hasher: hasher, environment: environment, salt: configuration.salt, record: record) { name in
            model.products.first { $0.name == name }.map { product in
                guard let buildDirectory else { return keys.productKey(product, model: model, hasher: hasher) }
                return ContentKeys.builtProductKey(product, buildDirectory: buildDirectory, salt: configuration.salt)
            }
        }
    }

    /// The key of a result under `key` when its traced inputs are in `state`.
    func resultKey(_ key: ActionID, state: ActionID) -> ActionID {
        var hasher = KeyHasher(name: "test-result", salt: configuration.salt)
        hasher.update(key)
        hasher.update(state)
        return hasher.finalize()
    }
}
