import Testing
@testable import TestCacheCore
import TestCacheStore

/// `--partition time:K/N`: the plan from stored durations, and what shards agree on.
@Suite struct ShardPlanTests {
    /// Fixtures/Shards' durations: three slow targets among six quick ones.
    static let durations: [String: Double] = [
        "QuickA": 0.1, "SlowA": 1.0, "QuickB": 0.1, "QuickC": 0.1, "SlowB": 1.0, "QuickD": 0.1, "SlowC": 0.6, "QuickE": 0.1, "QuickF": 0.1,
    ]
    static let names = ["QuickA", "SlowA", "QuickB", "QuickC", "SlowB", "QuickD", "SlowC", "QuickE", "QuickF"]

    @Test func shardsAreDisjointCoverEverythingAndBalanceTheSlowTargets() {
        let plan = ShardPlan.balance(Self.names, estimates: Self.durations, count: 3)
        let shards = (1...3).map { plan.select(Self.names, shard: $0) }
        #expect(shards.flatMap { $0 }.sorted() == Self.names.sorted())
        #expect(Set(shards.flatMap { $0 }).count == Self.names.count)
        // No two slow targets share a shard, and the heaviest shard is within 10% of the average.
        for shard in shards { #expect(shard.filter { $0.hasPrefix("Slow") }.count == 1, "\(shards)") }
        let loads = plan.loads
        #expect(loads.max()! <= 1.1 * loads.reduce(0, +) / 3, "\(loads)")
        // Each shard keeps the manifest's order.
        for shard in shards { #expect(shard == Self.names.filter(shard.contains)) }
    }

    @Test func theSameNamesAndDurationsGiveTheSamePlanInAnyOrder() {
        let plan = ShardPlan.balance(Self.names, estimates: Self.durations, count: 3)
        #expect(ShardPlan.balance(Self.names.reversed(), estimates: Self.durations, count: 3).shards == plan.shards)
        // Ties (every quick target weighs the same) are broken by name, never by order or hashing.
        let cold = ShardPlan.balance(Self.names, estimates: [:], count: 3)
        #expect(ShardPlan.balance(Self.names.shuffled(), estimates: [:], count: 3) == cold)
    }

    @Test func withoutHistoryEveryTargetCountsTheColdGuessAndShardsAreEven() {
        let plan = ShardPlan.balance(Self.names, estimates: [:], count: 4)
        #expect(plan.basis.contains("no stored durations"))
        #expect(Set(plan.expected.values) == [ShardPlan.coldGuess])
        let sizes = (1...4).map { plan.select(Self.names, shard: $0).count }
        #expect(sizes.sorted() == [2, 2, 2, 3])
    }

    @Test func aTargetWithoutHistoryCountsTheMedianOfTheKnown() {
        var known = Self.durations
        known["SlowC"] = nil
        known["QuickF"] = nil
        let plan = ShardPlan.balance(Self.names, estimates: known, count: 2)
        // Known, sorted: 0.1 ×5, 1, 1: the median is 0.1.
        #expect(plan.expected["SlowC"] == 0.1 && plan.expected["QuickF"] == 0.1)
        #expect(plan.basis.contains("7 of 9") && plan.basis.contains("2 without one count the median, 100ms"), "\(plan.basis)")
    }

    @Test func moreShardsThanTargetsLeaveSomeEmpty() {
        let plan = ShardPlan.balance(["A", "B"], estimates: ["A": 3], count: 4)
        #expect((1...4).map { plan.select(["A", "B"], shard: $0) } == [["A"], ["B"], [], []])
        #expect(plan.covers(["A", "B"], count: 4) && !plan.covers(["A", "B", "C"], count: 4) && !plan.covers(["A", "B"], count: 3))
    }

    @Test func aTargetsEstimateIsItsWholeRunElseItsTestsSum() {
        #expect(TargetTimings(seconds: 4, tests: ["a": 1]).estimate == 4)
        #expect(TargetTimings(seconds: nil, tests: ["a": 1, "b": 0.5]).estimate == 1.5)
        #expect(TargetTimings().estimate == nil)
    }

    @Test func shardsOfOneCIRunShareItsIDAndAGivenIDWins() {
        #expect(CIEnvironment.runID(["GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2"]) == "GitHub Actions=42")
        #expect(CIEnvironment.runID(["GITLAB_CI": "true", "CI_PIPELINE_ID": "7"]) == "GitLab CI=7")
        #expect(CIEnvironment.runID(["GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "42", EnvironmentVariable.planID: "mine"]) == "given=mine")
        #expect(CIEnvironment.runID(["GITHUB_RUN_ID": "42"]) == nil, "not under GitHub Actions")
    }

    @Test func hashAndSliceShardsAreDisjointAndCoverEveryTarget() throws {
        let names = (1...9).map { "Target\($0)Tests" }
        for kind in ["hash", "slice"] {
            for count in 1...6 {
                var seen: [String] = []
                for shard in 1...count {
                    let chosen = try TargetPartition(parsing: "\(kind):\(shard)/\(count)").select(names)
                    #expect(chosen == names.filter(chosen.contains), "\(kind):\(shard)/\(count) keeps the manifest's order")
                    seen += chosen
                }
                #expect(seen.sorted() == names.sorted(), "\(kind) over \(count): \(seen)")
            }
        }
        // A slice takes every Nth target from the Kth; a target's hash shard does not depend on the others.
        #expect(try TargetPartition(parsing: "slice:2/3").select(names) == ["Target2Tests", "Target5Tests", "Target8Tests"])
        let alone = try TargetPartition(parsing: "hash:1/2").select(["Target1Tests"])
        #expect(alone == (try TargetPartition(parsing: "hash:1/2").select(names).contains("Target1Tests") ? ["Target1Tests"] : []))
    }

    @Test func timePartitionsParseAndBadOnesAreRefused() throws {
        let partition = try TargetPartition(parsing: "time:2/3")
        #expect(partition.kind == .time && partition.shard == 2 && partition.count == 3 && partition.description == "time:2/3")
        for bad in ["time:0/3", "time:4/3", "time:1/0", "time:1", "times:1/2"] {
            #expect(throws: TestCacheError.self) { try TargetPartition(parsing: bad) }
        }
    }
}
