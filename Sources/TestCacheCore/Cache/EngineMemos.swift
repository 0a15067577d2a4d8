import Foundation
import TestCacheStore

/// What the engine remembers in the store besides results, so that the next run need not work it out
/// again: the stat cache, the toolchain's identity, the package description, the trace baseline, Swift
/// Build's products directory and the key components `explain` compares with.
///
/// Each memo is machine-local (it names paths or a binary's status) and so never shared. Each is read as a
/// miss when absent or unreadable: a memo only saves time.
struct EngineMemos: Sendable {
    /// Where memos live; nil remembers nothing.
    let store: ResultStore?
    let salt: KeySalt

    // MARK: Stat cache

    /// The stat records of the checkout at `root` from the last run.
    func statRecords(root: String) -> [String: StatRecord] {
        store?.output(for: statCacheKey(root)).value.map { StatCacheFormat.decode($0.bytes) } ?? [:]
    }

    /// Remembers file hashes for the next run. A run of every target saw every file, so its records
    /// replace the old ones (dropping deleted files); a run of some targets adds to the others' records.
    func saveStatRecords(_ hasher: InputHasher, previous: [String: StatRecord], everyTarget: Bool) {
        // Unchanged (the usual fully cached run), nothing is written. A run of some targets only keeps the
        // records of the files it did not see.
        guard everyTarget ? hasher.recordsChanged : hasher.filesRead > 0 else { return }
        let records = everyTarget ? hasher.records : previous.merging(hasher.records) { $1 }
        store?.put(statCacheKey(hasher.root), StatCacheFormat.encode(records))
    }

    /// The key of a checkout's stat cache: local to this machine and path.
    private func statCacheKey(_ root: String) -> ActionID {
        var hasher = KeyHasher(name: "stat-cache", salt: salt)
        hasher.update(field: "root", root)
        return hasher.finalize()
    }

    // MARK: Toolchain

    /// The identity (`swift --version`) of the toolchain `swiftPath` resolves to and its default build
    /// system, when remembered under the binary's path and status.
    func toolchain(swiftPath: String) -> (identity: String, buildSystem: BuildSystem)? {
        guard let stored = store?.output(for: toolchainKey(swiftPath: swiftPath)).value,
            let separator = stored.bytes.lastIndex(of: 0),
            let system = BuildSystem(rawValue: String(decoding: stored.bytes[(separator + 1)...], as: UTF8.self))
        else { return nil }
        return (String(decoding: stored.bytes[..<separator], as: UTF8.self), system)
    }

    /// Remembers both, the identity first and the build system after a NUL, which `swift --version`
    /// never prints.
    func rememberToolchain(identity: [UInt8], buildSystem: BuildSystem, swiftPath: String) {
        store?.put(toolchainKey(swiftPath: swiftPath), identity + [0] + Array(buildSystem.rawValue.utf8))
    }

    /// The binary `swift` resolves to and the runtime's libraries, and their status: a new toolchain, or
    /// a runtime library, installed in place changes it.
    private func toolchainKey(swiftPath: String) -> ActionID {
        func described(_ status: FileStatus?) -> String {
            status.map { "\($0.size) \($0.modified) \($0.changed) \($0.inode)" } ?? "missing"
        }
        let resolved = URL(fileURLWithPath: swiftPath).resolvingSymlinksInPath().path
        var hasher = KeyHasher(name: "toolchain-identity", salt: salt)
        hasher.update(field: "binary", resolved)
        hasher.update(field: "status", described(FileSystem.status(following: resolved)))
        for library in ToolchainRuntime.libraries(swiftPath: resolved) {
            hasher.update(field: "runtime " + library.name, described(library.status))
        }
        return hasher.finalize()
    }

    // MARK: Package description

    /// The package description remembered under `key` (the description key), if any and readable.
    func model(under key: ActionID) -> PackageModel? {
        guard let stored = store?.output(for: key).value else { return nil }
        // A memo that does not decode (an older format) is no memo: the package is described again.
        return try? JSONDecoder().decode(PackageModel.self, from: Data(stored.bytes))
    }

    func remember(_ model: PackageModel, under key: ActionID) {
        // Not encoded, not remembered: the next run describes the package again.
        if let encoded = try? JSONEncoder().encode(model) { store?.put(key, Array(encoded)) }
    }

    // MARK: Trace baseline

    /// The variables every test process of this toolchain reads, when measured before.
    func baselineVariables(toolchain: Toolchain) -> Set<String>? {
        guard let stored = store?.output(for: baselineKey(toolchain)).value else { return nil }
        return Set(String(decoding: stored.bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    func rememberBaselineVariables(_ names: Set<String>, toolchain: Toolchain) {
        store?.put(baselineKey(toolchain), Array(names.sorted().joined(separator: "\n").utf8))
    }

    private func baselineKey(_ toolchain: Toolchain) -> ActionID {
        var memo = KeyHasher(name: "trace-baseline", salt: salt)
        memo.update(field: "toolchain", toolchain.identity)
        return memo.finalize()
    }

    // MARK: Swift Build's products directory

    /// Where `swift build --show-bin-path` said Swift Build puts the products for these build arguments
    /// with this toolchain, when asked before.
    func productsDirectory(arguments: [String], toolchain: Toolchain) -> String? {
        store?.output(for: productsKey(arguments, toolchain)).value.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    func rememberProductsDirectory(_ path: String, arguments: [String], toolchain: Toolchain) {
        store?.put(productsKey(arguments, toolchain), Array(path.utf8))
    }

    private func productsKey(_ arguments: [String], _ toolchain: Toolchain) -> ActionID {
        var memo = KeyHasher(name: "products-directory", salt: salt)
        memo.update(field: "toolchain", toolchain.identity)
        memo.update(field: "swift", toolchain.swiftPath)
        for argument in arguments { memo.update(field: "argument", argument) }
        return memo.finalize()
    }

    // MARK: explain's records

    /// What a target's keys were made of when its result was last stored from the checkout at `root`.
    func keyComponents(of target: String, root: String) -> KeyComponents? {
        guard let stored = store?.output(for: componentsKey(target, root: root)).value else { return nil }
        // Not decoded (an older format): explain says no result of this checkout is stored, as is the case
        // for what it can compare.
        return try? JSONDecoder().decode(KeyComponents.self, from: Data(stored.bytes))
    }

    func remember(_ components: KeyComponents, of target: String, root: String) {
        // Not encoded, not remembered: explain has nothing to compare with; no result depends on it.
        if let encoded = try? JSONEncoder().encode(components) { store?.put(componentsKey(target, root: root), Array(encoded)) }
    }

    /// The files of the dependency packages as the last stored result saw them: kept once for the
    /// package, not with each target (they are the same for all, and a package with a dozen dependencies
    /// has thousands), so that `explain` can name the file of a dependency that changed.
    func dependencyFields(root: String) -> [KeyField: String] {
        guard let stored = store?.output(for: componentsKey("", root: root)).value else { return [:] }
        // Not decoded (an older format): explain names the dependency's directory instead of its file.
        return (try? JSONDecoder().decode(KeyComponents.self, from: Data(stored.bytes)))?.fields ?? [:]
    }

    func rememberDependencyFields(_ fields: [KeyField: String], root: String) {
        // Not encoded, not remembered: explain names the dependency's directory instead of its file.
        if let encoded = try? JSONEncoder().encode(KeyComponents(fields: fields)) { store?.put(componentsKey("", root: root), Array(encoded)) }
    }

    /// What a target's tests reached when they were last keyed one by one here, and why those that ran
    /// did (``TestRunRecord``).
    func testRun(of target: String, root: String) -> TestRunRecord? {
        guard let stored = store?.output(for: componentsKey("tests " + target, root: root)).value else { return nil }
        // Not decoded (an older format): every test that runs is told it is new.
        return try? JSONDecoder().decode(TestRunRecord.self, from: Data(stored.bytes))
    }

    func remember(_ record: TestRunRecord, of target: String, root: String) {
        // Not encoded, not remembered: the next run's reasons say the tests are new; no result depends on it.
        if let encoded = try? JSONEncoder().encode(record) { store?.put(componentsKey("tests " + target, root: root), Array(encoded)) }
    }

    /// Local to this checkout: another checkout of the same sources keeps its own. The empty target name
    /// (no target has it) is the package's record of its dependencies' files.
    private func componentsKey(_ target: String, root: String) -> ActionID {
        var hasher = KeyHasher(name: "explain", salt: salt)
        hasher.update(field: "root", root)
        hasher.update(field: "target", target)
        return hasher.finalize()
    }
}
