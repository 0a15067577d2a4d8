public import TestCacheStore

/// One CI job's share of a package's test targets (`--partition hash:K/N`, `slice:K/N` or `time:K/N`), as
/// cargo-nextest partitions tests: N jobs, each given its K, run disjoint sets that cover every target.
///
/// `time` balances the targets by their stored durations (``ShardPlan``, made by the engine, which
/// knows the history). `hash` puts a target in shard `hash(name) mod N` + 1, with SHA-256 of the name, so that the shard of a
/// target never depends on the others, the machine or the run: adding a target moves no other. `slice`
/// takes every Nth target of the selection in manifest order, starting from the Kth: even shards, but a
/// new target shifts the ones after it.
public struct TargetPartition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case hash, slice, time
    }

    public var kind: Kind
    /// Which shard, from 1.
    public var shard: Int
    public var count: Int

    /// As the option is written: `time:2/3`.
    public var description: String { "\(kind.rawValue):\(shard)/\(count)" }

    /// Parses `hash:K/N` or `slice:K/N`; throws a one-line message for anything else.
    public init(parsing text: String) throws(TestCacheError) {
        let usage = "--partition takes time:K/N, hash:K/N or slice:K/N with 1 ≤ K ≤ N, not '\(text)'"
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])) else { throw TestCacheError(.usage, usage) }
        let numbers = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard numbers.count == 2, let shard = Int(numbers[0]), let count = Int(numbers[1]), count >= 1, (1...count).contains(shard)
        else { throw TestCacheError(.usage, usage) }
        self.kind = kind
        self.shard = shard
        self.count = count
    }

    /// The names among `names` (in manifest order) that belong to this shard, in the same order; for
    /// `time`, all of them: its plan needs the history, and the engine applies it.
    public func select(_ names: [String]) -> [String] {
        switch kind {
        case .time:
            return names
        case .slice:
            return names.enumerated().filter { $0.offset % count == shard - 1 }.map(\.element)
        case .hash:
            return names.filter { Self.bucket(of: $0, count: count) == shard - 1 }
        }
    }

    /// The shard (from 0) a name hashes to: the first 8 bytes of its SHA-256, big-endian, mod `count`.
    static func bucket(of name: String, count: Int) -> Int {
        let value = UInt64(OutputID(of: Array(name.utf8)).hex.prefix(16), radix: 16) ?? 0
        return Int(value % UInt64(count))
    }
}
