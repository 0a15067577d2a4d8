import TestCacheStore

/// A package ready to be keyed: described, its settings read, its test targets selected, what every key
/// shares hashed. What a run and `explain` both start from.
struct LoadedPackage: Sendable {
    let toolchain: Toolchain
    let model: PackageModel
    let settings: PackageSettings
    /// The test targets asked for, in the manifest's order.
    var targets: [PackageTarget]
    /// The stat records the run started from, to tell what it learned.
    let previousRecords: [String: StatRecord]
    let planner: KeyPlanner
    /// The build system the run uses: `--build-system`, or the toolchain's default.
    let buildSystem: BuildSystem

    var hasher: InputHasher { planner.hasher }
}

/// Loads the package at the configuration's path: toolchain, description (each remembered when it can
/// be), settings, selection, and pins resolved when nothing pins remote dependencies yet.
struct PackageLoader: Sendable {
    let configuration: EngineConfiguration
    let memos: EngineMemos
    /// Runs SwiftPM and the toolchain: a ``CrashRetryingRunner``, so that a crashed command runs again.
    let processes: any ProcessRunning
    let log: EngineLog
    let clock: @Sendable () -> Int64

    /// Loads the package; nil (after saying so) when it has no test targets. Throws ``TestCacheError`` for
    /// bad input: not a package, a manifest that does not load, an unknown target, bad settings.
    func load() async throws -> LoadedPackage? {
        let root = configuration.packagePath
        guard FileSystem.status(following: root + "/Package.swift")?.isRegular == true else {
            throw TestCacheError(.package, "\(root) is not a SwiftPM package: it has no Package.swift")
        }
        let settings = try PackageSettings.load(root: root)
        let previousRecords = memos.statRecords(root: root)
        let hasher = InputHasher(root: root, previous: previousRecords, now: clock())
        let keys = ActionKeys(salt: configuration.salt, trace: log.hashTrace)
        let (toolchain, model, describedKey) = try await toolchainAndModel(keys: keys, hasher: hasher)
        var descriptionKey = describedKey
        let targets = try selectTargets(model)
        try settings.validate(testTargets: model.testTargets.map(\.name))
        guard !targets.isEmpty else {
            if configuration.test.partition == nil { log.note("package \(model.name) has no test targets") }
            return nil
        }
        if try await resolveIfUnpinned(model, toolchain: toolchain) {
            // The pins are part of the description's key: file the model under the key with them.
            descriptionKey = KeyPlanner.descriptionKey(
                keys: keys, toolchain: toolchain, hasher: hasher, environment: configuration.environment)
            memos.remember(model, under: descriptionKey)
        }
        // Keyed as resolved, so that naming the toolchain's default build system changes no key.
        var resolved = configuration
        resolved.build.buildSystem = configuration.build.buildSystem ?? toolchain.defaultBuildSystem
        let planner = KeyPlanner(
            keys: keys, configuration: resolved, toolchain: toolchain, model: model, settings: settings,
            hasher: hasher, descriptionKey: descriptionKey, clock: clock)
        return LoadedPackage(
            toolchain: toolchain, model: model, settings: settings, targets: targets, previousRecords: previousRecords,
            planner: planner, buildSystem: resolved.build.buildSystem ?? .native)
    }

    /// The toolchain and the package description, each from the memos when remembered, and the key the
    /// description is remembered under.
    ///
    /// When the toolchain is not remembered (a new store, or a new toolchain), the description will not be
    /// either, since the toolchain is part of its key: `swift package describe` then starts beside
    /// `swift --version` instead of after it, and is cancelled in the rare case it was not needed.
    private func toolchainAndModel(keys: ActionKeys, hasher: InputHasher) async throws -> (Toolchain, PackageModel, ActionID) {
        let environment = configuration.environment
        let swiftPath = try configuration.build.toolchain.map(Toolchain.swift(inToolchain:)) ?? Toolchain.locateSwift(environment: environment)
        func descriptionKey(_ toolchain: Toolchain) -> ActionID {
            KeyPlanner.descriptionKey(keys: keys, toolchain: toolchain, hasher: hasher, environment: environment)
        }
        if let toolchain = Toolchain.remembered(swiftPath: swiftPath, memos: memos) {
            let key = descriptionKey(toolchain)
            if let model = memos.model(under: key) { return (toolchain, model, key) }
            let model = try await describePackage(swiftPath: swiftPath)
            memos.remember(model, under: key)
            return (toolchain, model, key)
        }
        async let described = describePackage(swiftPath: swiftPath)
        let toolchain = try await Toolchain.identify(
            swiftPath: swiftPath, environment: environment, memos: memos, processes: processes)
        let key = descriptionKey(toolchain)
        if let model = memos.model(under: key) { return (toolchain, model, key) }
        let model = try await described
        memos.remember(model, under: key)
        return (toolchain, model, key)
    }

    /// Runs `swift package describe` and reads the manifest for the targets' order.
    private func describePackage(swiftPath: String) async throws -> PackageModel {
        let root = configuration.packagePath
        let described = try await processes.capture(
            swiftPath, SwiftPMInvocation.packageCommand(configuration) + ["describe", "--type", "json"],
            workingDirectory: root, environment: SwiftPMInvocation.environment(configuration, swiftPath: swiftPath))
        guard described.termination == .exited(0) else {
            log.output.standardError(String(decoding: described.stderr, as: UTF8.self))
            throw TestCacheError(.package, "cannot load the package at \(root): its manifest did not evaluate")
        }
        let manifest = FileSystem.contents(root + "/Package.swift") ?? []
        return try PackageModel(describeJSON: described.stdout, manifest: manifest, root: root)
    }

    /// Resolves the dependencies when they come from repositories and nothing pins them yet, or they are
    /// pinned but not checked out (a fresh clone), so that `Package.resolved` names their exact versions
    /// and their manifests, whose variables join every key, are there before any key is made. SwiftPM
    /// would do both during the build anyway, too late for the lookups: the keys made before and after it
    /// would differ, and a fresh clone could never be served without building. Gives whether it resolved.
    private func resolveIfUnpinned(_ model: PackageModel, toolchain: Toolchain) async throws -> Bool {
        let root = configuration.packagePath
        guard model.hasRemoteDependencies else { return false }
        var checkedOut = false
        FileSystem.forEachFile(inDirectory: configuration.build.scratchDirectory(root: root) + "/checkouts") { _, status in
            checkedOut = checkedOut || status.isDirectory
            return false
        }
        guard FileSystem.status(following: root + "/Package.resolved") == nil || !checkedOut else { return false }
        let resolve = try await processes.runMerged(
            toolchain.swiftPath, SwiftPMInvocation.packageCommand(configuration) + ["resolve"], workingDirectory: root,
            environment: SwiftPMInvocation.environment(configuration, swiftPath: toolchain.swiftPath),
            timeout: SwiftPMInvocation.timeout, stream: nil)
        guard resolve.termination == .exited(0) else {
            log.output.standardError(String(decoding: resolve.output, as: UTF8.self))
            throw TestCacheError(.package, "cannot resolve the dependencies of the package at \(root)")
        }
        return true
    }

    /// The test targets asked for, in the package's order; an unknown name is an error listing them.
    private func selectTargets(_ model: PackageModel) throws -> [PackageTarget] {
        let testTargets = model.testTargets
        for name in configuration.targets where !testTargets.contains(where: { $0.name == name }) {
            let known = testTargets.map(\.name).joined(separator: ", ")
            throw TestCacheError(.package, "no test target named '\(name)' in package \(model.name); its test targets are: \(known.isEmpty ? "none" : known)")
        }
        let selected = configuration.targets.isEmpty ? testTargets : testTargets.filter { configuration.targets.contains($0.name) }
        guard let partition = configuration.test.partition else { return selected }
        let share = Set(partition.select(selected.map(\.name)))
        if share.isEmpty && !selected.isEmpty {
            log.note("--partition \(partition.kind.rawValue):\(partition.shard)/\(partition.count) takes none of the \(selected.count) test targets")
        }
        return selected.filter { share.contains($0.name) }
    }
}
