import TestCacheStore

/// The package-wide inputs of every key: toolchain, build options, manifests, pins, local dependencies.
struct PackageInputs: Sendable {
    /// Hash of everything package-wide a test target's build and run depend on.
    var buildKey: ActionID
    /// Why results cannot be looked up before building, when they cannot.
    var unkeyableReason: String?
    /// What every content ID starts with instead of ``buildKey``: the same less the pins and the
    /// dependencies' files, which a content ID takes from ``dependencyFiles`` and the built objects.
    var contentKey: ActionID?
    /// Each dependency package's directory and its files, as they were hashed for ``buildKey``.
    var dependencyFiles: [(directory: String, files: [(path: String, digest: OutputID)])] = []

    init(buildKey: ActionID, unkeyableReason: String? = nil, contentKey: ActionID? = nil,
         dependencyFiles: [(directory: String, files: [(path: String, digest: OutputID)])] = []) {
        self.buildKey = buildKey
        self.unkeyableReason = unkeyableReason
        self.contentKey = contentKey
        self.dependencyFiles = dependencyFiles
    }
}

/// Computes the action IDs of the seed's first level: a hash of every input of a target's build and run,
/// known before building. Paths are relative to the package root, so the same sources checked out
/// elsewhere give the same keys.
struct ActionKeys: Sendable {
    let salt: KeySalt
    let trace: (@Sendable (String) -> Void)?
    /// Receives every named field of every key made, for `explain`; trees are then not memoized, so
    /// that each key's files are all recorded.
    var record: FieldRecorder? = nil

    /// Manifest file names at the root: `Package.swift` and its `Package@swift-*.swift` variants.
    static func manifestNames(in root: String) -> [String] {
        var names: [String] = []
        FileSystem.forEachFile(inDirectory: root) { name, status in
            if status.isRegular || status.isSymbolicLink,
                name == "Package.swift" || (name.hasPrefix("Package@swift-") && name.hasSuffix(".swift"))
            {
                names.append(name)
            }
            return false
        }
        return names.sorted()
    }

    /// The key the package description is remembered under: the toolchain, every manifest, the pins, and
    /// the build-relevant environment (the compilers' variables and what the manifests read). Without
    /// `pins` for content IDs, which read what the pins checked out instead.
    func descriptionKey(toolchain: Toolchain, hasher: InputHasher, environment: [String: String], pins: Bool = true) -> ActionID {
        var description = FieldHasher(name: "package-description", salt: salt, trace: trace, record: record)
        for (field, value) in toolchain.identityFields { description.update(field, value) }
        let names = Self.manifestNames(in: hasher.root)
        for name in names {
            description.update(KeyField(kind: .manifest, subject: name), hasher.hashFile(name)?.hex ?? "missing")
        }
        if pins { description.update(KeyField(kind: .packageResolved), hasher.hashFile("Package.resolved")?.hex ?? "missing") }
        let manifests = BuildEnvironment.manifestReads(names.map { hasher.root + "/" + $0 }, root: hasher.root)
        BuildEnvironment.add(environment, manifests: manifests, to: &description)
        return description.finalize()
    }

    /// The manifests of the dependency packages: local ones, and those SwiftPM checked out.
    static func dependencyManifests(model: PackageModel, root: String, scratch: String) -> [String] {
        dependencyDirectories(model: model, root: root, scratch: scratch).flatMap { directory in
            let absolute = directory.hasPrefix("/") ? directory : root + "/" + directory
            return manifestNames(in: absolute).map { absolute + "/" + $0 }
        }
    }

    /// The directories of the dependency packages, relative to `root` where they are inside it or beside
    /// it: local (`path:`) ones, `swift package edit` working copies (`Packages/`), and the checkouts
    /// SwiftPM made of remote ones (`<scratch>/checkouts/*`). Sorted, each once.
    static func dependencyDirectories(model: PackageModel, root: String, scratch: String) -> [String] {
        var directories = Set(model.localDependencyPaths)
        FileSystem.forEachFile(inDirectory: root + "/Packages") { name, status in
            if status.isDirectory { directories.insert("Packages/" + name) }
            return false
        }
        let checkouts = relativePath(scratch, from: root) + "/checkouts"
        FileSystem.forEachFile(inDirectory: (checkouts.hasPrefix("/") ? "" : root + "/") + checkouts) { name, status in
            if status.isDirectory { directories.insert(checkouts + "/" + name) }
            return false
        }
        return directories.sorted()
    }

    /// The package-wide part of every test key: the description's inputs, the build options, and the
    /// files of local and edited dependencies. `contentDescriptionKey` is the description's key without
    /// the pins, for ``PackageInputs/contentKey``.
    func packageInputs(
        descriptionKey: ActionID, contentDescriptionKey: ActionID? = nil, model: PackageModel, build: BuildOptions, hasher: InputHasher,
        environment: [String: String]
    ) -> PackageInputs {
        var buildHasher = FieldHasher(name: "package-build", salt: salt, trace: trace, record: record)
        var contentHasher = FieldHasher(name: "package-content", salt: salt, trace: trace)
        buildHasher.update(descriptionKey)
        contentHasher.update(contentDescriptionKey ?? descriptionKey)
        /// A field of both keys.
        func both(_ update: (inout FieldHasher) -> Void) {
            update(&buildHasher)
            update(&contentHasher)
        }
        // What the dependencies' manifests read counts as the root's does.
        let scratch = build.scratchDirectory(root: hasher.root)
        let dependencies = BuildEnvironment.manifestReads(
            Self.dependencyManifests(model: model, root: hasher.root, scratch: scratch), root: hasher.root)
        both { BuildEnvironment.add(environment, manifests: dependencies, buildVariables: false, to: &$0) }
        both { BuildOption.addAll(build, root: hasher.root, to: &$0) }
        if !build.sanitizers.isEmpty {
            // The sanitizers' runtimes read their options from /proc/self/environ, which the tracer does not
            // see: in a sanitized build they are inputs, since `detect_leaks=1` can fail a passing test.
            for name in BuildOption.sanitizerVariables {
                both { $0.update(KeyField(kind: .variable, subject: name), environment[name].map { "=" + $0 } ?? "unset") }
            }
        }
        // Dependencies are hashed file by file, like the package's own targets, wherever they live: a
        // checkout edited in place is rebuilt by SwiftPM, whatever its pin says. A content ID takes their
        // files from here, less what they compile to objects it reads (``ContentKeys``): what a
        // dependency's tests or fixtures hold is in no object, and the tracer ignores reads outside the
        // package and inside the build directory.
        var dependencyFiles: [(directory: String, files: [(path: String, digest: OutputID)])] = []
        for directory in Self.dependencyDirectories(model: model, root: hasher.root, scratch: scratch) {
            let tree = treeKey(directory, hasher: hasher, kind: .dependencyFile) { [] }
            buildHasher.update(KeyField(kind: .dependency, subject: directory), tree.hex)
            dependencyFiles.append((directory, hasher.hashTree(directory)))
        }
        // The package's own test entry point decides which tests the binary runs, and how often; its
        // absence is the default (nothing hashed), so that adding one changes every key as removing it does.
        for path in TestEntryPoint.find(in: model, root: hasher.root) {
            both { $0.update(KeyField(kind: .testEntryPoint, subject: path), hasher.hashFile(path)?.hex ?? "missing") }
        }
        var unkeyable: String?
        if model.hasRemoteDependencies && hasher.hashFile("Package.resolved") == nil {
            unkeyable = "Package.resolved is missing, so the dependencies' versions are not known before building"
        }
        return PackageInputs(
            buildKey: buildHasher.finalize(), unkeyableReason: unkeyable, contentKey: contentHasher.finalize(), dependencyFiles: dependencyFiles)
    }

    /// The action ID of one test target's result: its files and those of every target it depends on,
    /// the package-wide inputs, and the cacheable test options.
    func actionID(
        for target: PackageTarget, model: PackageModel, inputs: PackageInputs, test: TestOptions, hasher: InputHasher,
        settings: TargetSettings = TargetSettings(), environment: [String: String] = [:]
    ) -> ActionID {
        var key = FieldHasher(name: "test-action", salt: salt, trace: trace, record: record)
        key.update(inputs.buildKey)
        key.update(KeyField(kind: .target), target.name)
        for dependency in model.closure(of: target) {
            key.update(KeyField(kind: .directoryOf, subject: dependency.name), dependency.path)
            key.update(KeyField(kind: .tree, subject: dependency.path), treeKey(dependency, hasher: hasher).hex)
        }
        if let declared = declaredKey(settings, hasher: hasher, environment: environment) { key.update(declared) }
        TestOption.addKeyed(test, to: &key)
        return key.finalize()
    }

    /// What the package's settings declare for a target (extra input files, variables in or out) as
    /// one key, part of both its action ID and its content ID; nil when they declare nothing.
    func declaredKey(_ settings: TargetSettings, hasher: InputHasher, environment: [String: String]) -> ActionID? {
        guard !settings.inputs.isEmpty || !settings.includedVariables.isEmpty || !settings.ignoredVariables.isEmpty
            || !settings.quarantine.isEmpty
        else {
            return nil
        }
        var key = FieldHasher(name: "declared-inputs", salt: salt, trace: trace, record: record)
        settings.add(to: &key, hasher: hasher, environment: environment)
        return key.finalize()
    }

    /// The key standing for a product's sources: the trees of the targets it is built from and of every
    /// target they depend on. (Remote dependencies and build options are in every key already.)
    func productKey(_ product: PackageProduct, model: PackageModel, hasher: InputHasher) -> ActionID {
        var key = FieldHasher(name: "product", salt: salt, trace: trace, record: record)
        for target in model.closure(ofTargetsNamed: product.targets) {
            key.update(KeyField(kind: .tree, subject: target.path), treeKey(target, hasher: hasher).hex)
        }
        return key.finalize()
    }

    /// Every file under a target's directory, by path and content, folded into one key once per run; the
    /// files it compiles are `file` fields, the others `data file` fields.
    func treeKey(_ target: PackageTarget, hasher: InputHasher) -> ActionID {
        treeKey(target.path, hasher: hasher, kind: .dataFile) { target.sourcePaths }
    }

    /// Every file under a directory, folded into one key once per run: each a `file` field when it is
    /// one of `sources` (asked only when the tree is not memoized: it is a set built from a list), else a
    /// field of `kind`.
    func treeKey(
        _ directory: String, hasher: InputHasher, kind: KeyField.Kind, sources: () -> Set<String>
    ) -> ActionID {
        func make(_ files: [(path: String, digest: OutputID)]) -> ActionID {
            let compiled = sources()
            var tree = FieldHasher(name: "tree", salt: salt, trace: trace, record: record)
            tree.update(directory)
            for file in files {
                tree.update(KeyField(kind: compiled.contains(file.path) ? .file : kind, subject: file.path), file.digest.hex)
            }
            return tree.finalize()
        }
        return record == nil ? hasher.treeKey(directory, make: make) : make(hasher.hashTree(directory))
    }

    /// The data files of `target`'s directory (every file it does not compile), each as a `data file`
    /// field: what a content ID adds when what the tests read is not traced.
    func addDataFiles(of target: PackageTarget, hasher: InputHasher, to key: inout FieldHasher) {
        let sources = target.sourcePaths
        for file in hasher.hashTree(target.path) where !sources.contains(file.path) {
            key.update(KeyField(kind: .dataFile, subject: file.path), file.digest.hex)
        }
    }
}
