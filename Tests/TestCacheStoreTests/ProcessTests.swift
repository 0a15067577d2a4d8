import Foundation
import Testing
import TestCacheStore

/// Runs the `testcache-torture` child process to completion.
func runTorture(_ arguments: [String]) throws -> ProcessResult {
    try runExecutable("testcache-torture", arguments)
}

@Suite(.serialized) struct ProcessTests {
    /// Several processes put and get shared and own keys while capped trims evict under them; every
    /// read is verified byte for byte inside the children, and any damaged read fails them.
    @Test func processesHammeringOneStoreNeverReadADamagedValue() throws {
        let directory = try TemporaryDirectory()
        let workers = 4
        // Enough rounds that every child reads values other children are replacing and trimming.
        let iterations = 600
        let processes = try (0..<workers).map { worker in
            try startExecutable("testcache-torture", ["hammer", directory.storePath, "\(worker)", "\(iterations)"])
        }
        var totalHits = 0
        for (worker, process) in processes.enumerated() {
            let result = finish(process)
            let output = result.stdout + result.stderr
            #expect(result.status == 0, "worker \(worker): \(output)")
            #expect(output.hasPrefix("ok hits="), "worker \(worker): \(output)")
            let hits = output.split(separator: " ").first { $0.hasPrefix("hits=") }.flatMap { Int($0.dropFirst(5)) }
            totalHits += hits ?? 0
        }
        // The children did read values back, not only miss.
        #expect(totalHits > 0)
    }

    /// A writer killed with SIGKILL at random instants, many times, never leaves a partial entry or
    /// output: every key reads back whole or as "not found", and a trim clears the stray temporaries.
    @Test func writersKilledMidWriteLeaveEveryKeyWholeOrMissing() throws {
        let directory = try TemporaryDirectory()
        // Kills at random instants; forty rounds land many of them inside a write of up to 2 MiB.
        let rounds = 40
        var hits = 0
        for round in 0..<rounds {
            let writer = try startExecutable("testcache-torture", ["write", directory.storePath])
            // Mostly early kills, often inside a write; every fifth round late enough (even on a loaded
            // machine) that puts have completed, so that whole values are read back too.
            usleep(round % 5 == 4 ? 400_000 : UInt32.random(in: 5_000...60_000))
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            #expect(writer.terminationReason == .uncaughtSignal)
            let check = try runTorture(["verify", directory.storePath])
            #expect(check.status == 0, "round \(round): \(check.stdout)")
            hits += Int(check.stdout.split(separator: " ").first { $0.hasPrefix("hits=") }?.dropFirst(5) ?? "0") ?? 0
        }
        #expect(hits > 0)

        let clock = ManualClock(start: StoreConfiguration.systemClock())
        clock.advance(hours: 2)
        let store = ResultStore(directory: directory.storePath, configuration: StoreConfiguration(clock: clock.function))
        store.trim()
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: directory.storePath)
            .filter { $0.contains("/.tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct ConcurrencyTests {
    /// One store value used from many tasks at once, as the engine uses it for parallel targets.
    @Test func tasksSharingOneStoreReadOnlyWholeValues() async throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        /// Each key's possible values: a task writes one of these, and a read must return one of them whole.
        let values = (0..<4).map { variant in bytes(50_000 + variant, seed: UInt8(variant)) }
        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures: [String] = []
                    for round in 0..<200 {
                        let name = "k\((task + round) % 6)"
                        if round % 3 == 0 {
                            store.put(key(name), values[(task + round) % values.count])
                        } else {
                            switch store.output(for: key(name)) {
                            case .hit(let stored) where !values.contains(stored.bytes):
                                failures.append("\(name): \(stored.bytes.count) bytes match no value written")
                            case .miss(let reason) where reason != .notFound:
                                failures.append("\(name): \(reason)")
                            default: break
                            }
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures.isEmpty)
        #expect((0..<6).allSatisfy { store.output(for: key("k\($0)")).value != nil })
    }
}
