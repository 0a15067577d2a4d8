import Foundation
import Testing
import TestCacheStore

@Suite struct MaintenanceTests {
    @Test func expireAllMakesEarlierResultsMissesForStoresOpenedAfter() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        store.put(key("old"), bytes(10))
        clock.advance(hours: 1)
        try store.expireAll()
        clock.advance(hours: 1)
        let reopened = makeStore(directory, clock: clock)
        reopened.put(key("new"), bytes(20))
        #expect(reopened.output(for: key("old")) == .miss(.expired))
        #expect(reopened.output(for: key("new")).value?.bytes == bytes(20))
        // Nothing was deleted.
        #expect(reopened.statistics().entries == 2)
        // Storing again under the old key makes it a hit again.
        reopened.put(key("old"), bytes(10))
        #expect(reopened.output(for: key("old")).value?.bytes == bytes(10))
    }

    @Test func aDamagedExpireMarkFallsBackToItsModificationTime() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        makeStore(directory, clock: clock).put(key("old"), bytes(10))
        let mark = directory.storePath + "/expire.txt"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: mark))
        try setModificationTime(mark, clock.now + 1)
        #expect(makeStore(directory, clock: clock).output(for: key("old")) == .miss(.expired))
    }

    @Test func hitsRefreshTheUseTimeAtMostHourly() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        let output = try #require(store.put(key("a"), bytes(10)))
        let entryPath = storeFile(directory, key("a").hex, "-a")
        let outputPath = storeFile(directory, output.hex, "-d")
        let stored = try modificationTime(entryPath)
        #expect(abs(stored - clock.now) < 1_000)

        clock.advance(hours: 0.5)
        _ = store.output(for: key("a"))
        #expect(try modificationTime(entryPath) == stored)

        clock.advance(hours: 1)
        _ = store.output(for: key("a"))
        #expect(abs(try modificationTime(entryPath) - clock.now) < 1_000)
        #expect(abs(try modificationTime(outputPath) - clock.now) < 1_000)
    }

    @Test func trimRemovesWhatWasUnusedForFiveDays() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        store.put(key("stale"), bytes(100, seed: 1))
        clock.advance(hours: 24 * 3)
        store.put(key("fresh"), bytes(100, seed: 2))
        clock.advance(hours: 24 * 2 + 1)
        let report = store.trim()
        #expect(report.removedEntries == 1)
        #expect(report.removedOutputs == 1)
        #expect(store.output(for: key("stale")) == .miss(.notFound))
        #expect(store.output(for: key("fresh")).value?.bytes == bytes(100, seed: 2))
    }

    @Test func aUseKeepsAnEntryFromBeingTrimmed() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        store.put(key("a"), bytes(100))
        clock.advance(hours: 24 * 4)
        _ = store.output(for: key("a"))
        clock.advance(hours: 24 * 4)
        store.trim()
        #expect(store.output(for: key("a")).value?.bytes == bytes(100))
    }

    @Test func trimRemovesOnlyTemporaryFilesOfDeadWriters() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        store.put(key("a"), bytes(1))
        let shard = directory.storePath + "/00/"
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: shard + ".tmp-old", contents: Data(count: 50))
        _ = FileManager.default.createFile(atPath: shard + ".tmp-young", contents: Data(count: 50))
        try setModificationTime(shard + ".tmp-old", clock.now - 2 * 3_600 * 1_000_000_000)
        try setModificationTime(shard + ".tmp-young", clock.now)
        let report = store.trim()
        #expect(report.removedTemporaries == 1)
        #expect(!FileManager.default.fileExists(atPath: shard + ".tmp-old"))
        #expect(FileManager.default.fileExists(atPath: shard + ".tmp-young"))
    }

    @Test func trimIfDueRunsDailyWithoutACap() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        #expect(store.trimIfDue() != nil)
        clock.advance(hours: 23)
        #expect(store.trimIfDue() == nil)
        clock.advance(hours: 2)
        #expect(store.trimIfDue() != nil)
    }

    @Test func trimIfDueRunsHourlyWithACap() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock, maxSize: 1 << 30)
        #expect(store.trimIfDue() != nil)
        clock.advance(hours: 0.5)
        #expect(store.trimIfDue() == nil)
        clock.advance(hours: 0.6)
        #expect(store.trimIfDue() != nil)
    }

    @Test func aTrimStampFromTheFutureDoesNotStopTrimming() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        store.put(key("a"), bytes(1))
        try Data("\(clock.now + 1_000_000_000_000_000)\n".utf8)
            .write(to: URL(fileURLWithPath: directory.storePath + "/trim.txt"))
        #expect(store.trimIfDue() != nil)
    }

    @Test func theSizeCapEvictsLeastRecentlyUsedFirst() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock, maxSize: 10_000)
        for index in 0..<10 {
            store.put(key("k\(index)"), bytes(2_000, seed: UInt8(index)))
            clock.advance(hours: 2)
        }
        // k0 is the oldest put but was used most recently.
        _ = store.output(for: key("k0"))
        let report = store.trim()
        #expect(report.remainingBytes <= 10_000)
        #expect(store.statistics().bytes == report.remainingBytes)
        #expect(store.output(for: key("k0")).value != nil)
        #expect(store.output(for: key("k9")).value != nil)
        #expect(store.output(for: key("k8")).value != nil)
        #expect(store.output(for: key("k1")).value == nil)
        #expect(store.output(for: key("k2")).value == nil)
    }

    @Test func statisticsCountEntriesOutputsBytesAndUse() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        #expect(store.statistics() == StoreStatistics())
        let first = clock.now
        store.put(key("a"), bytes(1_000, seed: 1))
        clock.advance(hours: 3)
        store.put(key("b"), bytes(500, seed: 2))
        store.put(key("c"), bytes(500, seed: 2))
        let statistics = store.statistics()
        #expect(statistics.entries == 3)
        #expect(statistics.outputs == 2)
        #expect(statistics.bytes == 1_000 + 500 + 3 * 177)
        #expect(abs(statistics.oldestUse! - first) < 1_000)
        #expect(abs(statistics.newestUse! - clock.now) < 1_000)
    }

    @Test func removeAllDeletesTheStoreAndAPutRecreatesIt() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        store.put(key("a"), bytes(10))
        try store.removeAll()
        #expect(!FileManager.default.fileExists(atPath: directory.storePath))
        try store.removeAll()  // already gone: not an error
        #expect(store.output(for: key("a")) == .miss(.notFound))
        #expect(store.put(key("b"), bytes(10)) != nil)
        #expect(store.output(for: key("b")).value?.bytes == bytes(10))
        #expect(FileManager.default.fileExists(atPath: directory.storePath + "/README"))
    }
}

@Suite struct FileSystemTests {
    @Test func aTreeIsRemovedWholeButNotWhatItsLinksPointAt() throws {
        let directory = try TemporaryDirectory()
        let tree = directory.path + "/tree", outside = directory.path + "/outside"
        #expect(FileSystem.makeDirectories(tree + "/a/b") == 0)
        #expect(FileSystem.makeDirectories(outside) == 0)
        try Data("x".utf8).write(to: URL(fileURLWithPath: tree + "/a/b/file"))
        try Data("y".utf8).write(to: URL(fileURLWithPath: outside + "/kept"))
        try FileManager.default.createSymbolicLink(atPath: tree + "/link", withDestinationPath: outside)
        FileSystem.removeTree(tree)
        #expect(!FileManager.default.fileExists(atPath: tree))
        #expect(FileManager.default.fileExists(atPath: outside + "/kept"))
    }
}
