import TestCacheReports

/// Which shard runs each test target under `--partition time:K/N`: targets balanced by how long each is
/// expected to take, so that the slowest shard, which sets a CI job's time, is as short as it can be.
///
/// The plan is made once per CI run (or per state of the sources) by whichever shard starts first,
/// stored, and read by the others (``TimingHistory``): every shard then runs its part of one plan, even
/// when the history it was made from changes while they start.
struct ShardPlan: Codable, Sendable, Equatable {
    /// How many shards.
    var count: Int
    /// Each target's shard, from 1.
    var shards: [String: Int]
    /// Each target's expected seconds, as the plan counted them.
    var expected: [String: Double]
    /// Where the expected times came from, in words: `-v` shows it.
    var basis: String

    /// What a target whose duration no run has stored counts when no target's is known either: one
    /// second, a typical small test target's launch and run. All such targets weigh the same, so the
    /// plan is then an even split by count, in name order.
    static let coldGuess = 1.0

    /// Balances `names` over `count` shards by longest expected time first, each to the shard that is
    /// least loaded so far (the first such shard on a tie): never more than 4/3 of the best balance, and
    /// the same plan for the same names and estimates on every machine. Targets without an estimate take
    /// the median of the known ones, or ``coldGuess`` when none is known.
    static func balance(_ names: [String], estimates known: [String: Double], count: Int) -> ShardPlan {
        let measured = names.compactMap { known[$0] }.sorted()
        let unknown = names.filter { known[$0] == nil }
        let fallback: Double
        var basis: String
        if measured.isEmpty {
            fallback = coldGuess
            basis = "no stored durations: every target counts \(RunTally.describe(seconds: coldGuess))"
        } else {
            fallback = measured.count % 2 == 1
                ? measured[measured.count / 2] : (measured[measured.count / 2 - 1] + measured[measured.count / 2]) / 2
            basis = "stored durations of \(measured.count) of \(names.count) targets"
            if !unknown.isEmpty {
                basis += "; \(unknown.count) without one count\(unknown.count == 1 ? "s" : "") the median, \(RunTally.describe(seconds: fallback))"
            }
        }
        var expected: [String: Double] = [:]
        for name in names { expected[name] = known[name] ?? fallback }
        let order = names.sorted { (expected[$0]!, $1) > (expected[$1]!, $0) }
        var loads = Array(repeating: 0.0, count: count)
        var shards: [String: Int] = [:]
        for name in order {
            let lightest = loads.indices.min { (loads[$0], $0) < (loads[$1], $1) }!
            loads[lightest] += expected[name]!
            shards[name] = lightest + 1
        }
        return ShardPlan(count: count, shards: shards, expected: expected, basis: basis)
    }

    /// The targets of shard `shard` among `names`, in their order.
    func select(_ names: [String], shard: Int) -> [String] {
        names.filter { shards[$0] == shard }
    }

    /// Whether the plan places exactly `names` in `count` shards: a stored plan for other targets (from
    /// another tool version's store, say) is made again.
    func covers(_ names: [String], count: Int) -> Bool {
        self.count == count && Set(shards.keys) == Set(names) && shards.values.allSatisfy { (1...count).contains($0) }
    }

    /// Each shard's expected seconds, shard 1 first.
    var loads: [Double] {
        var loads = Array(repeating: 0.0, count: count)
        for (name, shard) in shards { loads[shard - 1] += expected[name] ?? 0 }
        return loads
    }
}
