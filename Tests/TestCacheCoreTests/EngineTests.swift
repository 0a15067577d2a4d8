import Synchronization
import Foundation
import Testing
import TestCacheStore
@testable import TestCacheCore
import _TestSupport

/// The engine end to end with a fake SwiftPM and test binary (``FakeSwiftPM``) and a fake shared cache:
/// the seed's story in milliseconds, building nothing.
@Suite struct EngineTests {
    let package: FakePackage
    let storeDirectory: TemporaryDirectory
    let store: ResultStore

    init() throws {
        package = try FakePackage()
        storeDirectory = try TemporaryDirectory()
        store = makeStore(storeDirectory)
    }

    /// Runs the engine once; gives its exit status and what it printed.
    func run(
        store: ResultStore? = nil, shared: (any SharedCache)? = nil, traced: Bool = false, debug: DebugOptions = DebugOptions(),
        verify: Bool = false, clock: @escaping @Sendable () -> Int64 = StoreConfiguration.systemClock
    ) async throws -> (status: Int32, output: CollectedOutput) {
        let output = CollectedOutput()
        package.runner.resetCounts()
        let engine = package.engine(
            store: store ?? self.store, output: output, shared: shared, traced: traced, debug: debug, verify: verify, clock: clock)
        let status = try await engine.run()
        return (status, output)
    }

    @Test func aFullHitBuildsAndRunsNothing() async throws {
        let first = try await run()
        #expect(first.status == 0, "\(first.output.stderr)")
        #expect(first.output.summaries.count == 2 && first.output.summaries.allSatisfy { $0.hasPrefix("ok  \t") && !$0.hasSuffix("(cached)") })
        #expect(package.runner.builds == 1 && package.runner.testRuns.sorted() == ["T1Tests", "T2Tests"])

        let second = try await run()
        #expect(second.status == 0)
        #expect(second.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
        // The stored output is replayed only with -v or a failure; a pass shows its line alone.
        #expect(second.output.stdout == "ok  \tT1Tests\t(cached)\nok  \tT2Tests\t(cached)\n")
        #expect(package.runner.builds == 0 && package.runner.testRuns.isEmpty)
    }

    @Test func untracedADataFileOfATargetIsInItsContentIDAndTracedOnlyWhenATestReadsIt() async throws {
        try package.write("Tests/T1Tests/snapshot.txt", "1\n")
        _ = try await run()
        // No tracer: the build makes the same objects, but a test may read the file unseen, so T1Tests reruns.
        try package.write("Tests/T1Tests/snapshot.txt", "2\n")
        let untraced = try await run()
        #expect(untraced.output.summaries.last == "ok  \tT2Tests\t(cached)", "\(untraced.output.stderr)")
        #expect(package.runner.builds == 1 && package.runner.testRuns == ["T1Tests"])

        // Traced (with a store of its own, so that its result is filed by the traced content ID), and the
        // test is known not to read it: the same objects, replayed.
        let tracedDirectory = try TemporaryDirectory()
        let tracedStore = makeStore(tracedDirectory)
        _ = try await run(store: tracedStore, traced: true)
        try package.write("Tests/T1Tests/snapshot.txt", "3\n")
        let traced = try await run(store: tracedStore, traced: true)
        #expect(traced.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"], "\(traced.output.stderr)")
        #expect(package.runner.builds == 1 && package.runner.testRuns.isEmpty)
    }

    @Test func aRuntimeLibraryOfTheToolchainReplacedInPlaceIsANewKey() async throws {
        // The fake `swift` is <dir>/bin/swift: its runtime is <dir>/lib/swift/linux.
        let runtime = package.directory.path + "/lib/swift/linux"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        try Data(ToolchainRuntimeTests.elf(buildID: [1, 2, 3, 4])).write(to: URL(fileURLWithPath: runtime + "/libXCTest.so"))
        _ = try await run()
        let cached = try await run()
        #expect(cached.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
        // The same `swift --version`, another XCTest: every result is for another toolchain.
        try Data(ToolchainRuntimeTests.elf(buildID: [1, 2, 3, 5])).write(to: URL(fileURLWithPath: runtime + "/libXCTest.so"))
        let replaced = try await run()
        #expect(replaced.output.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, "\(replaced.output.summaries)")
        #expect(package.runner.testRuns.sorted() == ["T1Tests", "T2Tests"])
    }

    @Test func aBuildManifestThatCannotBeReadStoresNothing() async throws {
        // What the build read (plugin and linker inputs) would be incomplete: no result is filed under it.
        package.runner.tearManifests(true)
        let torn = try await run(debug: DebugOptions(parsing: "test"))
        #expect(torn.status == 0 && torn.output.stderr.contains("could not be read, so what the build read is not known: not stored"),
            "\(torn.output.stderr)")
        let again = try await run()
        #expect(again.output.summaries.allSatisfy { !$0.hasSuffix("(cached)") } && package.runner.testRuns.count == 2)
        package.runner.tearManifests(false)
        _ = try await run()
        let stored = try await run()
        #expect(stored.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
    }

    @Test func aTargetsTimeIsTheInjectedClocks() async throws {
        // A clock that moves 250 ms each time it is read: a target's run reads it as it starts and ends.
        let single = try FakePackage(testTargets: ["T1Tests"])
        let origin = ContinuousClock.now
        let reads = Mutex(0)
        let clock: @Sendable () -> ContinuousClock.Instant = {
            origin + .milliseconds(250) * reads.withLock { count in
                count += 1
                return count
            }
        }
        let output = CollectedOutput()
        let status = try await single.engine(store: store, output: output, monotonicNow: clock).run()
        #expect(status == 0 && output.summaries == ["ok  \tT1Tests\t0.250s"], "\(output.stderr)")
    }

    @Test func aCommentEditMissesTheActionIDAndHitsTheContentIDThenTheNewActionID() async throws {
        _ = try await run()
        try package.write("Sources/Lib/Lib.swift", "// The value the tests use.\npublic let value = 1\n")

        let comment = try await run(debug: DebugOptions(parsing: "test"))
        #expect(comment.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"], "\(comment.output.stderr)")
        #expect(comment.output.stderr.contains("swift-testcache: T1Tests: miss on action ID "))
        #expect(comment.output.stderr.contains("swift-testcache: T1Tests: hit on content ID "))
        #expect(package.runner.builds == 1 && package.runner.testRuns.isEmpty)

        // Filed under the new action ID as well: the next run does not even build.
        let again = try await run()
        #expect(again.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
        #expect(package.runner.builds == 0)

        // A change to what is built runs the tests again.
        try package.write("Sources/Lib/Lib.swift", "public let value = 2\n")
        let change = try await run()
        #expect(change.output.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, "\(change.output.stdout)")
        #expect(package.runner.testRuns.sorted() == ["T1Tests", "T2Tests"])
    }

    /// swift-driver compares a source's time to the second: a build never starts in the second a source
    /// was saved, so that a second save in that second is seen by the next build.
    @Test func aBuildWaitsForTheSecondASourceWasSavedInToEnd() async throws {
        try package.write("Sources/Lib/Lib.swift", "public let value = 2\n")
        let saved = try #require(FileSystem.status(following: package.root + "/Sources/Lib/Lib.swift")).modified
        // The build starts within the second of the save (halfway to its end), by the engine's clock,
        // however busy the machine is: a fixed 0.1 s crossed into the next second for a save in the
        // last tenth of one.
        let later = (1_000_000_000 - saved % 1_000_000_000) / 2
        _ = try await run(clock: { saved + later })
        // Up to the next second after the save, and past it by the margin only.
        let end = (saved / 1_000_000_000 + 1) * 1_000_000_000 + SourceSettling.margin
        #expect(package.runner.builds == 1)
        #expect(package.waits.withLock { $0 } == [end - saved - later])

        // Saved seconds ago: built at once.
        try package.write("Sources/Lib/Lib.swift", "public let value = 3\n")
        let past = Date().addingTimeInterval(-5)
        for file in FileManager.default.subpaths(atPath: package.root) ?? [] {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: package.root + "/" + file)
        }
        package.waits.withLock { $0 = [] }
        _ = try await run()
        #expect(package.runner.builds == 1)
        #expect(package.waits.withLock { $0 }.isEmpty)
    }

    @Test func theWaitEndsJustPastTheSecondOfTheNewestSave() {
        let second: Int64 = 1_000_000_000
        #expect(SourceSettling.wait(newest: 10 * second + 100, now: 10 * second + 600_000_000) == 400_000_000 + SourceSettling.margin)
        #expect(SourceSettling.wait(newest: 10 * second, now: 11 * second + SourceSettling.margin) == nil)
        #expect(SourceSettling.wait(newest: 9 * second + 999_999_999, now: 10 * second + 1) == SourceSettling.margin - 1)
        // A time a tick ahead of the clock is waited out; one far ahead is no second a save now can share.
        #expect(SourceSettling.wait(newest: 10 * second + 5_000_000, now: 10 * second) == second + SourceSettling.margin)
        #expect(SourceSettling.wait(newest: 20 * second, now: 10 * second) == nil)
    }

    @Test func aBuildFailureFailsEveryMissAndStoresNothing() async throws {
        package.runner.failBuilds(true)
        let failed = try await run()
        #expect(failed.status == 1)
        #expect(failed.output.summaries == ["FAIL\tT1Tests [build failed]", "FAIL\tT2Tests [build failed]"])
        #expect(failed.output.stderr.contains("error: the build failed"))
        #expect(package.runner.testRuns.isEmpty)

        package.runner.failBuilds(false)
        let fixed = try await run()
        #expect(fixed.status == 0)
        #expect(package.runner.builds == 1 && package.runner.testRuns.count == 2, "nothing was stored for the failed build")
    }

    @Test func aFailingTargetIsShownAndRunAgainWhileThePassingOneIsReplayed() async throws {
        package.runner.setOutcome("T2Tests", FakeOutcome(exitStatus: 1, output: "T2Tests.swift:3: error: XCTAssertEqual failed\n"))
        let first = try await run()
        #expect(first.status == 1)
        #expect(first.output.stdout.contains("XCTAssertEqual failed"), "a failure's output is printed above its line")
        #expect(first.output.summaries.count == 2)
        #expect(first.output.summaries[1].hasPrefix("FAIL\tT2Tests\t"))

        let second = try await run()
        #expect(second.status == 1)
        #expect(second.output.summaries.first == "ok  \tT1Tests\t(cached)")
        #expect(second.output.summaries.last?.hasPrefix("FAIL\tT2Tests\t") == true)
        #expect(package.runner.testRuns == ["T2Tests"], "a failure is never stored")
    }

    @Test func aTracedInputChangeRerunsOnlyTheTargetThatReadIt() async throws {
        try FileManager.default.createDirectory(atPath: package.root + "/Fixtures", withIntermediateDirectories: true)
        try package.write("Fixtures/expected.txt", "one\n")
        package.runner.setOutcome("T1Tests", FakeOutcome(reads: [package.root + "/Fixtures/expected.txt"]))
        _ = try await run(traced: true)
        let cached = try await run(traced: true)
        #expect(cached.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])

        try package.write("Fixtures/expected.txt", "two\n")
        let changed = try await run(traced: true, debug: DebugOptions(parsing: "test"))
        #expect(changed.output.summaries.last == "ok  \tT2Tests\t(cached)")
        #expect(changed.output.summaries.first?.hasSuffix("(cached)") == false, "\(changed.output.stdout)")
        #expect(package.runner.testRuns == ["T1Tests"])
        #expect(changed.output.stderr.contains("what its last passing run read has changed (1 files"), "\(changed.output.stderr)")

        // Putting the file back replays the first result.
        try package.write("Fixtures/expected.txt", "one\n")
        let restored = try await run(traced: true)
        #expect(restored.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
        #expect(package.runner.builds == 0)
    }

    @Test func aSecondStoreIsServedByTheSharedCache() async throws {
        let shared = FakeSharedCache()
        _ = try await run(shared: shared, traced: true)
        #expect(shared.entries >= 4, "an input list and a result per target")

        let otherDirectory = try TemporaryDirectory()
        let served = try await run(store: makeStore(otherDirectory), shared: shared, traced: true, debug: DebugOptions(parsing: "test"))
        #expect(served.status == 0)
        #expect(served.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"], "\(served.output.stderr)")
        #expect(served.output.stderr.contains("hit on action ID"))
        #expect(served.output.stderr.contains("fetched from the remote cache"))
        #expect(package.runner.builds == 0 && package.runner.testRuns.isEmpty)
    }

    @Test(arguments: [true, false])
    func aSharedCacheThatAnswersGarbageIsAMissNeverAFailure(traced: Bool) async throws {
        let shared = FakeSharedCache(garbage: true)
        let first = try await run(shared: shared, traced: traced)
        #expect(first.status == 0, "\(first.output.stderr)")
        #expect(first.output.summaries.count == 2 && first.output.summaries.allSatisfy { !$0.hasSuffix("(cached)") })
        #expect(package.runner.testRuns.count == 2)
        #expect(shared.fetched > 0, "the shared cache was asked")
        // What was run is stored over the garbage, and replayed next time.
        let second = try await run(shared: shared, traced: traced)
        #expect(second.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"])
    }

    @Test func verifyRunsWhatWouldBeReplayedAndReportsAnUnsoundHit() async throws {
        _ = try await run()
        // Something no key sees changes what a test does: a hidden input.
        package.runner.setOutcome("T1Tests", FakeOutcome(exitStatus: 1, output: "a hidden input changed\n"))
        let unsound = try await run()
        #expect(unsound.output.summaries == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)"], "the unsound hit itself")

        let verified = try await run(verify: true)
        #expect(verified.status == TestEngine.unsoundExitStatus)
        #expect(package.runner.testRuns.sorted() == ["T1Tests", "T2Tests"], "every replayable target runs")
        #expect(verified.output.summaries.first?.hasPrefix("FAIL\tT1Tests\t") == true, "\(verified.output.stdout)")
        #expect(verified.output.summaries.last?.hasPrefix("ok  \tT2Tests\t") == true)
        #expect(verified.output.stderr.contains("swift-testcache: verify: T1Tests: unsound hit: the cache would have replayed a passing result by its action ID "))
        #expect(verified.output.stderr.contains("swift-testcache: verify: 2 replayed results run again, 1 unsound\n"))

        // A sound cache verifies clean.
        package.runner.setOutcome("T1Tests", FakeOutcome())
        _ = try await run()
        let clean = try await run(verify: true)
        #expect(clean.status == 0)
        #expect(clean.output.stderr.contains("swift-testcache: verify: 2 replayed results run again, 0 unsound\n"))
    }

    @Test func withoutAStoreEverythingRunsEveryTime() async throws {
        for _ in 0..<2 {
            let output = CollectedOutput()
            package.runner.resetCounts()
            let status = try await package.engine(store: nil, output: output).run()
            #expect(status == 0)
            #expect(package.runner.testRuns.count == 2)
        }
    }
}
