import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// `--partition time:K/N` on Fixtures/Shards, whose targets take 1s, 1s, 0.6s and 0.1s (six of them):
    /// shards balanced by what earlier runs measured, one plan for every shard of a run.
    @Suite struct ShardTests {
        static let targets = [
            "QuickATests", "SlowATests", "QuickBTests", "QuickCTests", "SlowBTests", "QuickDTests", "SlowCTests", "QuickETests",
            "QuickFTests",
        ]

        /// The targets a run printed a summary line for.
        func targets(_ run: ProcessResult) -> [String] {
            run.summaries.map { String($0.split(separator: "\t")[1]) }
        }

        /// Each target's `Elapsed` in a test2json stream: its final `pass` or `fail` event.
        func elapsed(_ stdout: String) throws -> [String: Double] {
            var found: [String: Double] = [:]
            for line in stdout.split(separator: "\n") {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                if event["Test"] == nil, let action = event["Action"] as? String, action == "pass" || action == "fail",
                    let package = event["Package"] as? String, let seconds = event["Elapsed"] as? Double
                {
                    found[package] = seconds
                }
            }
            return found
        }

        /// The slowest shard's time over the average shard's, for shards given as target lists.
        func imbalance(_ shards: [[String]], _ seconds: [String: Double]) -> Double {
            let loads = shards.map { $0.reduce(0) { $0 + (seconds[$1] ?? 0) } }
            return loads.max()! / (loads.reduce(0, +) / Double(loads.count))
        }

        @Test func timeShardsBalanceByStoredDurationsAndShareOnePlan() throws {
            let fixture = try Fixture("Shards")
            // An empty cache: each shard alone, with a store of its own, makes the same plan.
            var cold: [[String]] = []
            for shard in 1...3 {
                let run = try fixture.run("--partition", "time:\(shard)/3", "--list", "-v", store: fixture.temporary.path + "/cold-\(shard)")
                #expect(run.status == 0, run.transcript)
                #expect(run.stderr.contains("plan made now, from no stored durations: every target counts 1s"), run.transcript)
                cold.append(targets(run))
            }
            #expect(cold.flatMap { $0 }.sorted() == Self.targets.sorted(), "\(cold)")
            #expect(cold.map(\.count) == [3, 3, 3], "\(cold)")

            // History: one run of every target stores each one's time.
            let history = try fixture.run()
            #expect(history.status == 0 && history.summaries.count == Self.targets.count, history.transcript)

            // Three shards of one run (one plan ID), one target at a time so that a shard's time is the sum of
            // its targets'; --count 1 runs them although they are cached. Each shard stores new times as it
            // ends, and the later shards still run their part of the first shard's plan.
            var shards: [[String]] = []
            var seconds: [String: Double] = [:]
            for shard in 1...3 {
                let run = try fixture.run(
                    "--partition", "time:\(shard)/3", "--count", "1", "-j", "1", "-v", "--json",
                    environment: ["SWIFT_TESTCACHE_PLAN_ID": "history"])
                #expect(run.status == 0, run.transcript)
                #expect(run.stderr.contains(shard == 1 ? "plan made now, from stored durations of 9 of 9 targets" : "plan read from"), run.transcript)
                let measured = try elapsed(run.stdout)
                shards.append(Self.targets.filter { measured[$0] != nil })
                seconds.merge(measured) { $1 }
            }
            #expect(shards.flatMap { $0 }.sorted() == Self.targets.sorted(), "disjoint and covering: \(shards)")
            let balance = imbalance(shards, seconds)
            #expect(balance <= 1.1, "the slowest shard over the average: \(balance), \(shards), \(seconds)")

            // The anchor, from the same measured times: the shards slice:K/3 takes (every third target in
            // manifest order). BENCHMARKS.md records hash:K/3 beside them.
            let slice = (0..<3).map { shard in Self.targets.enumerated().filter { $0.offset % 3 == shard }.map(\.element) }
            let anchor = imbalance(slice, seconds)
            print("slowest shard over the average shard, Fixtures/Shards over 3: time \(balance), slice \(anchor)")
            #expect(balance < anchor, "time \(balance), slice \(anchor)")

            // Shards on other machines (stores of their own, one of them this one, with history) agree
            // through the remote cache: the first stores its plan there, and the others run their parts of it.
            let nginx = try NginxServer()
            let remote = ["SWIFT_TESTCACHE_REMOTE_CACHE": nginx.url, "SWIFT_TESTCACHE_PLAN_ID": "remote"]
            var machines: [[String]] = []
            for shard in 1...3 {
                // Shard 2 runs on the machine with history; had it planned by that, it would differ from shard 1's plan.
                let store = shard == 2 ? fixture.store : fixture.temporary.path + "/machine-\(shard)"
                let run = try fixture.run("--partition", "time:\(shard)/3", "--list", "-v", environment: remote, store: store)
                #expect(run.status == 0, run.transcript)
                #expect(run.stderr.contains(shard == 1 ? "plan made now" : "plan read from"), run.transcript)
                machines.append(targets(run))
            }
            #expect(machines.flatMap { $0 }.sorted() == Self.targets.sorted(), "disjoint and covering: \(machines)")
        }
    }
}
