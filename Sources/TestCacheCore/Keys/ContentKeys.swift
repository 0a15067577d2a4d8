import Foundation
import Synchronization
import TestCacheStore

/// Computes the seed's second key, the content ID: a hash of what will actually run for a test target,
/// known only after the build. A change that does not change what runs (a comment, `1` → `01`)
/// changes the action ID but not the content ID, so the stored result is replayed without running.
///
/// What it covers: the package-wide inputs of the action ID (toolchain, manifests, pins, build options,
/// local dependencies); the inputs the package's settings declare for the target; what the target's
/// code can reach in the objects of the target, of each root-package target it depends on and of Swift
/// Build's runner for it (``ObjectGraph``: every section of the target's own objects and the runner's,
/// and of its dependencies' the sections reached from those or from what a runtime scans, such as
/// Swift's type and conformance records); the objects of every target outside the root package, read
/// the same way (a remote dependency counts by what was built of it, not by its pin), with its
/// package's files but the sources those objects stand for; the targets' resource bundles; the
/// cacheable test options.
///
/// What it leaves out, because it cannot change what a test does: debugger-only module wrappers,
/// debug-info and unwind sections, a dependency's functions and globals that nothing the target runs
/// points at (Go's linker drops those from a test binary; here they stay in the binary, unreached), and
/// the native build system's generated test-list module, whose order SwiftPM randomises. Other
/// root-package targets are left out too. Under Swift Build they are not linked at all; natively they
/// are, and only the selected target's tests run, but what they declare for the runtime (a
/// retroactive conformance, say) is seen by the target's dynamic casts: a limit docs/keys.md states.
final class ContentKeys: Sendable {
    let salt: KeySalt
    let trace: (@Sendable (String) -> Void)?
    /// Where the build put each module's objects and the resource bundles.
    let layout: BuildLayout
    let model: PackageModel
    /// Object hashes by path, with which type lookup by name each names
    /// (``ObjectGraph/typeLookupByName(inObject:)``): targets share dependencies, and each object is read
    /// once a run.
    private let objects = Mutex<[String: ObjectReading]>([:])
    /// Objects read as graphs, by path, each read once a run.
    private let graphs = Mutex<[String: ObjectGraph.Member]>([:])
    /// ``dependencyFields(_:)``, made once a run.
    private let dependencyFieldMemo = Mutex<[(KeyField, String)]?>(nil)
    /// What the objects read as in this process's earlier runs (`watch`'s), or nil to read every one.
    private let memory: ObjectMemory?
    /// When this run's build had finished: an object changed since shortly before is not remembered.
    private let now: Int64

    init(
        salt: KeySalt, trace: (@Sendable (String) -> Void)?, layout: BuildLayout, model: PackageModel, memory: ObjectMemory? = nil,
        now: Int64 = 0
    ) {
        self.salt = salt
        self.trace = trace
        self.layout = layout
        self.memory = memory
        self.now = now
        self.model = model
    }

    /// The content ID of one test target after a successful build, or nil when its build products are
    /// not where SwiftPM puts them (then the target simply runs).
    /// `untracedReads` stands for the files a test may read unseen when runs are not traced.
    func contentID(
        for target: PackageTarget, inputs: PackageInputs, test: TestOptions, declared: ActionID?, untracedReads: ActionID?
    ) -> ActionID? {
        guard let closure = closure(of: target) else { return nil }
        var key = commonKey(target, closure: closure, inputs: inputs, declared: declared, untracedReads: untracedReads)
        for (label, digest) in ObjectGraph.reachableDigests(closure.members) { key.update(KeyField(kind: .object, subject: label), digest) }
        TestOption.addKeyed(test, to: &key)
        return key.finalize()
    }

    /// One key per test of `target` (`tests`, its IDs), or nil when its build products are not where
    /// SwiftPM puts them: each test's key is the content ID's inputs with what the target's code can
    /// reach split by test (``ObjectGraph/testReach(_:tests:owner:dispatching:)``): what every test can
    /// reach, and what only this one can. `sources` are the texts of the target's source files.
    func testKeys(
        for target: PackageTarget, tests: [String], sources: [String], inputs: PackageInputs, test: TestOptions, declared: ActionID?,
        untracedReads: ActionID?
    ) -> TestKeys? {
        guard let closure = closure(of: target) else { return nil }
        let members = closure.members
        // The protocol witnesses of the target's own code (mangled `…TW`), for the methods they stand for.
        let witnesses = closure.own.flatMap { member in
            (members[member].graph?.sections.values.flatMap(\.symbols) ?? []).filter { $0.hasSuffix("TW") }.compactMap(Demangler.demangle)
        }
        let ownership = TestOwnership(tests: tests, sources: sources, symbols: witnesses)
        let reach = ObjectGraph.testReach(
            members, tests: tests.count,
            owner: { member, section in
                // A Swift Testing record (`swift5_tests`) is its test's too: a test added or removed
                // changes no other test's key.
                guard closure.own.contains(member), let info = members[member].graph?.sections[section],
                    info.reachedOnly || info.label.hasPrefix("swift5_tests@")
                else { return nil }
                var found: Int?
                // Every symbol of the section must be the one test's: any other makes it shared.
                for symbol in info.symbols {
                    guard let owner = ownership.owner(ofSymbol: symbol), found == nil || found == owner else { return nil }
                    found = owner
                }
                return found
            },
            own: closure.own, dispatching: closure.generated,
            runners: { member, section in members[member].graph?.sections[section]?.symbols.flatMap(ownership.runners(ofSymbol:)) ?? [] },
            typesByNameElsewhere: externalTypeLookup())
        var common = commonKey(target, closure: closure, inputs: inputs, declared: declared, untracedReads: untracedReads)
        for (label, digest) in reach.shared { common.update(KeyField(kind: .object, subject: label), digest) }
        TestOption.addKeyed(test, to: &common)
        let keys = zip(tests, reach.own).map { id, own in
            var key = common
            key.update(KeyField(kind: .test, subject: id), own)
            return key.finalize()
        }
        let record = TestRunRecord(
            common: common.finalize().description, shared: Dictionary(reach.shared.map { ($0.label, $0.digest) }, uniquingKeysWith: { first, _ in first }),
            own: Dictionary(zip(tests, reach.ownSections).map { ($0, $1) }, uniquingKeysWith: { first, _ in first }),
            sharedSections: reach.sharedSections)
        return TestKeys(keys: keys, typesByName: reach.typesByName, record: record, paths: reach.paths)
    }

    /// The keys of a target's tests, in the order of their IDs.
    struct TestKeys: Sendable {
        var keys: [ActionID]
        /// Why every type of the closure counts for every test (``ObjectGraph/TestReach/typesByName``).
        var typesByName: String?
        /// What each test reaches, for the reasons `explain --tests` gives.
        var record: TestRunRecord
        /// How each test reaches what it does, for the same reasons.
        var paths: ObjectGraph.ReachPaths
    }

    /// The objects a target's key reads, as graph members; which of them are the target's own, and which
    /// a build system generated (a runner, a test list).
    private struct Closure {
        var members: [ObjectGraph.Member] = []
        var own: Set<Int> = []
        var generated: Set<Int> = []
        var resources: [(KeyField, String)] = []
    }

    private func closure(of target: PackageTarget) -> Closure? {
        var closure = Closure()
        func add(module: String, label: String, isEntry: Bool) -> [Int]? {
            guard let directory = layout.moduleDirectories[module], let names = layout.objectNames(ofModule: module) else { return nil }
            var added: [Int] = []
            for name in names {
                added.append(closure.members.count)
                closure.members.append(member(label: label + "/" + name, path: directory + "/" + name, isEntry: isEntry))
            }
            return added
        }
        for dependency in model.closure(of: target) {
            guard let added = add(module: dependency.moduleName, label: dependency.name, isEntry: dependency.name == target.name) else { return nil }
            if dependency.name == target.name { closure.own.formUnion(added) }
            for (path, digest) in resourceHashes(of: dependency) {
                closure.resources.append((KeyField(kind: .resource, subject: "\(dependency.name)/\(path)"), digest.hex))
            }
        }
        // Every other package's objects, as the root package's dependencies are read: a function of a
        // checkout that nothing the target runs points at leaves its key as it was.
        for object in externalObjects() {
            closure.members.append(member(label: object.label, path: object.path, isEntry: false))
        }
        for module in layout.generatedModules(for: target) {
            // What a runner runs starts from its roots (`main`, its records); the rest of it (the list's
            // thunks, which it renumbers with the list) counts where reached.
            guard let added = add(module: module, label: module, isEntry: false) else { return nil }
            closure.generated.formUnion(added)
            for index in added { closure.members[index].graph?.dropTestList() }
        }
        return closure
    }

    /// The fields every key of a target starts with: the package, the declared and unseen inputs, the
    /// target, its resources.
    private func commonKey(
        _ target: PackageTarget, closure: Closure, inputs: PackageInputs, declared: ActionID?, untracedReads: ActionID?
    ) -> FieldHasher {
        var key = FieldHasher(name: "test-content", salt: salt, trace: trace)
        key.update(inputs.contentKey ?? inputs.buildKey)
        for (field, digest) in dependencyFields(inputs) { key.update(field, digest) }
        if let declared { key.update(declared) }
        if let untracedReads { key.update(untracedReads) }
        key.update(KeyField(kind: .target), target.name)
        for (field, digest) in closure.resources { key.update(field, digest) }
        return key
    }

    /// The files of the dependency packages a content ID holds: all but those their objects stand for.
    /// A source file the build compiled (`Foo.swift`, `x.c`) is left out where an object of its name
    /// (`Foo.swift.o` natively, `Foo.o` under Swift Build) is among other packages' objects, which the
    /// key reads, or where a module of theirs lists it in its `output-file-map.json` (the native build's
    /// plan of that module: a module it did not compile, its object absent, is not linked, and a build
    /// that needed it would have compiled it); a header or a module map is read only by a compiler, so
    /// what it changes is in objects. Everything else stays: resources, fixtures, manifests, a source
    /// no object stands for (a dependency's own tests), which is the tree hashed whole where its
    /// objects cannot be found.
    private func dependencyFields(_ inputs: PackageInputs) -> [(KeyField, String)] {
        if let known = dependencyFieldMemo.withLock({ $0 }) { return known }
        let objects = Set(externalObjects().map { $0.path.split(separator: "/").last.map(String.init) ?? $0.path })
        let planned = plannedSources()
        /// Whether a module's plan lists the file at `path` (relative to the root, or absolute).
        func isPlanned(_ path: String, name: String) -> Bool {
            (planned[name] ?? []).contains { path.hasPrefix("/") ? $0 == path : $0.hasSuffix("/" + path) }
        }
        var fields: [(KeyField, String)] = []
        for (_, files) in inputs.dependencyFiles {
            for file in files {
                let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
                let suffix = name.split(separator: ".").last.map { String($0) } ?? ""
                let isManifest = name == "Package.swift" || (name.hasPrefix("Package@swift-") && name.hasSuffix(".swift"))
                if !isManifest {
                    if Self.compilerOnlyFiles.contains(suffix) || name == "module.modulemap" { continue }
                    if Self.compiledFiles.contains(suffix) {
                        let stem = String(name.dropLast(suffix.count + 1))
                        if objects.contains(name + ".o") || objects.contains(stem + ".o") || isPlanned(file.path, name: name) { continue }
                    }
                }
                // (A tree's paths are the root's: they start with the dependency's directory.)
                fields.append((KeyField(kind: .dependencyFile, subject: file.path), file.digest.hex))
            }
        }
        dependencyFieldMemo.withLock { $0 = fields }
        return fields
    }

    /// The sources the native build planned for other packages' modules (each module's
    /// `output-file-map.json`), absolute, by file name.
    private func plannedSources() -> [String: [String]] {
        let rootModules = Set(model.targets.map(\.moduleName))
        var found: [String: [String]] = [:]
        for (module, directory) in layout.moduleDirectories where !rootModules.contains(module) && !layout.isGenerated(module) {
            guard let bytes = FileSystem.contents(directory + "/output-file-map.json"),
                let map = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            else { continue }
            for path in map.keys where !path.isEmpty {
                found[path.split(separator: "/").last.map(String.init) ?? path, default: []].append(path)
            }
        }
        return found
    }

    /// Extensions of the source files a build compiles into an object of the file's name.
    static let compiledFiles: Set<String> = ["swift", "c", "cc", "cpp", "cxx", "m", "mm", "s", "S"]
    /// Extensions of the files only a compiler reads, through the sources that include them.
    static let compilerOnlyFiles: Set<String> = ["h", "hh", "hpp", "hxx"]

    /// An object of a test target's closure, read as a graph (hashed whole when it cannot be).
    private func member(label: String, path: String, isEntry: Bool) -> ObjectGraph.Member {
        if var known = graphs.withLock({ $0[path] }) {
            known.label = label
            known.isEntry = isEntry
            return known
        }
        func read(_ contents: [UInt8]?) -> ObjectGraph.Member {
            let bytes = contents ?? []
            let graph = ObjectGraph(bytes)
            return ObjectGraph.Member(
                label: label, graph: graph, wholeDigest: graph == nil ? (bytes.isEmpty ? "unreadable" : ObjectHasher.hash(bytes)) : "",
                isEntry: isEntry)
        }
        var member = memory?.member(at: path, now: now, read: read) ?? read(FileSystem.contents(path))
        member.label = label
        member.isEntry = isEntry
        graphs.withLock { $0[path] = member }
        return member
    }

    /// Objects of every module that is not the root package's own, nor one the build system generated:
    /// `module/name` and path, by module.
    private func externalObjects() -> [(label: String, path: String)] {
        let rootModules = Set(model.targets.map(\.moduleName))
        let modules = layout.moduleDirectories.keys.filter { !rootModules.contains($0) && !layout.isGenerated($0) }
        return modules.sorted().flatMap { module -> [(label: String, path: String)] in
            guard let directory = layout.moduleDirectories[module], let names = layout.objectNames(ofModule: module) else { return [] }
            return names.map { ("\(module)/\($0)", directory + "/" + $0) }
        }
    }

    /// The files of a target's resource bundle (`<Package>_<Target>.resources`), if it has one.
    private func resourceHashes(of target: PackageTarget) -> [(String, OutputID)] {
        let bundle = layout.resourceBundle(of: target)
        guard FileSystem.status(following: bundle)?.isDirectory == true else { return [] }
        let hasher = InputHasher(root: parentDirectory(bundle), previous: [:], now: 0)
        return hasher.hashTree(String(bundle.split(separator: "/").last!)).map { ($0.path, $0.digest) }
    }

    private func objectReading(_ path: String) -> ObjectReading {
        if let known = objects.withLock({ $0[path] }) { return known }
        func read(_ bytes: [UInt8]?) -> ObjectReading {
            ObjectReading(digest: bytes.map(ObjectHasher.hash) ?? "unreadable", typeLookup: bytes.flatMap(ObjectGraph.typeLookupByName(inObject:)))
        }
        let reading = memory?.reading(at: path, now: now, read: read) ?? read(FileSystem.contents(path))
        objects.withLock { $0[path] = reading }
        return reading
    }

    /// Why code outside the root package may find one of its types by a name made at run time, or nil:
    /// an object of a remote dependency names a lookup by name (its objects are hashed whole, not read
    /// as graphs, so the calls are found in their symbol tables).
    private func externalTypeLookup() -> String? {
        externalObjects().lazy.filter { object in self.graphs.withLock { known in known[object.path] }?.graph == nil }
            .compactMap { object in self.objectReading(object.path).typeLookup.map { "\(object.label) names \($0)" } }.first
    }
}

extension ContentKeys {
    /// The key of a product as it was built: each of its files in the build directory by what can run
    /// (``ObjectHasher``), a resource bundle by its files' contents. A comment edit in its sources leaves
    /// it as it was, where the key of its sources changes. Only good after a build: before one, the files
    /// in the build directory may be older than the sources.
    static func builtProductKey(_ product: PackageProduct, buildDirectory: String, salt: KeySalt) -> ActionID {
        var key = KeyHasher(name: "built-product", salt: salt)
        for name in product.fileNames {
            let path = buildDirectory + "/" + name
            guard let status = FileSystem.status(following: path) else { continue }
            if status.isDirectory {
                for file in InputHasher(root: buildDirectory, previous: [:], now: 0).hashTree(name) {
                    key.update(field: "file " + file.path, file.digest.hex)
                }
            } else if let bytes = FileSystem.contents(path) {
                key.update(field: "file " + name, ObjectHasher.hash(bytes))
            }
        }
        return key.finalize()
    }
}
