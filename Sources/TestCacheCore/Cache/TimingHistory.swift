import Foundation
import TestCacheStore

/// How long a test target and its tests took when they last ran: what `--partition time:K/N` balances by.
struct TargetTimings: Codable, Sendable, Equatable {
    /// Seconds the target's last run of every one of its tests took, wall time; nil when no such run was
    /// measured (only some of its tests ran each time).
    var seconds: Double?
    /// Seconds each test took when it last ran, by ID, as the testing library measured it.
    var tests: [String: Double] = [:]
    /// When this record was written, nanoseconds since 1970: of a local and a shared record, the newer wins.
    var updated: Int64 = 0

    /// What the target is expected to take when all its tests run: its last whole run, or failing that
    /// the sum of its tests' times; nil when neither was measured.
    var estimate: Double? {
        seconds ?? (tests.isEmpty ? nil : tests.values.reduce(0, +))
    }
}

/// The durations every run measures, kept per test target in the store and the shared cache, and the
/// shard plans made from them.
///
/// A target's record lives under a key of its own (the package's name and the target's), written only by
/// runs of that target: shards that run different targets at once never overwrite each other's. Unlike
/// results, these keys are rewritten by every run, so the shared copy is read afresh into a scratch store
/// rather than trusted once fetched.
struct TimingHistory: Sendable {
    let store: ResultStore?
    let shared: (any SharedCache)?
    let salt: KeySalt
    /// The package's name: the same on every machine, whatever the checkout's path.
    let package: String
    let clock: @Sendable () -> Int64
    let makeTemporaryDirectory: @Sendable () -> String?

    /// The key of a target's timings.
    func key(of target: String) -> ActionID {
        var hasher = KeyHasher(name: "target-timings", salt: salt)
        hasher.update(field: "package", package)
        hasher.update(field: "target", target)
        return hasher.finalize()
    }

    /// The stored timings of `targets`, the newer of the local and the shared record for each.
    func load(_ targets: [String]) async -> [String: TargetTimings] {
        var found: [String: TargetTimings] = [:]
        for target in targets {
            if let record: TargetTimings = decode(store?.output(for: key(of: target)).value?.bytes) { found[target] = record }
        }
        await readShared(targets.map(key(of:))) { scratch in
            for target in targets {
                guard let record: TargetTimings = decode(scratch.output(for: key(of: target)).value?.bytes) else { continue }
                if record.updated > found[target]?.updated ?? .min { found[target] = record }
            }
        }
        return found
    }

    /// Records what a run of `target` measured: its wall time (`seconds`, given only when every test
    /// ran) and each test's time. Filed locally and uploaded.
    func record(_ target: String, seconds: Double?, tests: [String: Double]) {
        var record: TargetTimings = decode(store?.output(for: key(of: target)).value?.bytes) ?? TargetTimings()
        if let seconds { record.seconds = seconds }
        record.tests.merge(tests) { $1 }
        record.updated = clock()
        // Not encoded, not recorded: the next plan counts the target as unknown.
        guard let bytes = try? JSONEncoder().encode(record) else { return }
        store?.put(key(of: target), Array(bytes))
        shared?.upload(key(of: target), Array(bytes))
    }

    // MARK: Plans

    /// The key a plan of these shards is stored under: the CI run (or, without one, the state of every
    /// target's inputs), the shard count and the targets. Every shard of one run computes the same key.
    func planKey(run: String, count: Int, targets: [String]) -> ActionID {
        var hasher = KeyHasher(name: "shard-plan", salt: salt)
        hasher.update(field: "package", package)
        hasher.update(field: "run", run)
        hasher.update(field: "count", String(count))
        for target in targets { hasher.update(field: "target", target) }
        return hasher.finalize()
    }

    /// The plan stored under `key`, locally or in the shared cache.
    func storedPlan(_ key: ActionID) async -> ShardPlan? {
        if let plan: ShardPlan = decode(store?.output(for: key).value?.bytes) { return plan }
        var plan: ShardPlan?
        await readShared([key]) { scratch in plan = decode(scratch.output(for: key).value?.bytes) }
        if let plan, let bytes = try? JSONEncoder().encode(plan) { store?.put(key, Array(bytes)) }
        return plan
    }

    /// Files a new plan locally and in the shared cache, and waits for the upload, so that a shard that
    /// starts later reads it.
    func storePlan(_ plan: ShardPlan, under key: ActionID) async {
        guard let bytes = try? JSONEncoder().encode(plan) else { return }
        store?.put(key, Array(bytes))
        if let shared {
            shared.upload(key, Array(bytes))
            await shared.flush()
        }
    }

    // MARK: Reading

    /// Fetches `keys` from the shared cache into a scratch store and hands it to `read`; nothing
    /// without a shared cache or a scratch directory.
    private func readShared(_ keys: [ActionID], _ read: (ResultStore) -> Void) async {
        guard let shared, let directory = makeTemporaryDirectory() else { return }
        defer { FileSystem.removeTree(directory) }
        let scratch = ResultStore(directory: directory + "/store")
        await shared.fetch(keys, into: scratch)
        read(scratch)
    }

    /// A record or plan, or nil for one that does not decode (another format): the target then counts
    /// as unknown, and a plan is made anew.
    private func decode<Value: Decodable>(_ bytes: [UInt8]?) -> Value? {
        bytes.flatMap { try? JSONDecoder().decode(Value.self, from: Data($0)) }
    }
}
