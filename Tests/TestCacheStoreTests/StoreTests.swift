import Foundation
import Testing
import TestCacheStore

@Suite struct StoreRoundTripTests {
    @Test(arguments: [0, 1, 1_024, 1 << 20])
    func putThenGetGivesTheSameBytes(size: Int) throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let store = makeStore(directory, clock: clock)
        let value = bytes(size)
        let output = try #require(store.put(key("a"), value))
        #expect(output == OutputID(of: value))
        let stored = try #require(store.output(for: key("a")).value)
        #expect(stored.bytes == value)
        #expect(stored.entry == Entry(outputID: output, size: size, storedAt: clock.now))
        #expect(store.entry(for: key("a")).value == stored.entry)
    }

    @Test func layoutIsFanOutEntriesAndOutputsWithAReadme() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        let output = try #require(store.put(key("a"), bytes(10)))
        #expect(FileManager.default.fileExists(atPath: storeFile(directory, key("a").hex, "-a")))
        #expect(FileManager.default.fileExists(atPath: storeFile(directory, output.hex, "-d")))
        let readme = try String(contentsOfFile: directory.storePath + "/README", encoding: .utf8)
        #expect(readme.contains("safe to delete"))
    }

    @Test func aMissingKeyIsNotFound() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        #expect(store.output(for: key("nothing")) == .miss(.notFound))
        #expect(store.entry(for: key("nothing")).missReason == .notFound)
    }

    @Test func twoKeysWithTheSameOutputShareOneBlob() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        let first = store.put(key("a"), bytes(5_000))
        let second = store.put(key("b"), bytes(5_000))
        #expect(first != nil && first == second)
        let statistics = store.statistics()
        #expect(statistics.entries == 2)
        #expect(statistics.outputs == 1)
        #expect(store.output(for: key("b")).value?.bytes == bytes(5_000))
    }

    @Test func aNewPutReplacesTheOldValue() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        store.put(key("a"), bytes(100, seed: 1))
        store.put(key("a"), bytes(200, seed: 2))
        #expect(store.output(for: key("a")).value?.bytes == bytes(200, seed: 2))
    }

    @Test func linkFilesASecondKeyUnderAStoredOutput() throws {
        let directory = try TemporaryDirectory()
        let store = makeStore(directory, clock: ManualClock())
        let output = try #require(store.put(key("action"), bytes(300)))
        #expect(store.link(key("content"), to: output, size: 300))
        #expect(store.output(for: key("content")).value?.bytes == bytes(300))
        // Nothing is filed under an output the store does not have, or with another size.
        #expect(!store.link(key("other"), to: OutputID(of: [9]), size: 1))
        #expect(!store.link(key("other"), to: output, size: 301))
        #expect(store.entry(for: key("other")).missReason == .notFound)
    }

    @Test func storesOpenedTwiceSeeEachOthersWrites() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let writer = makeStore(directory, clock: clock)
        let reader = makeStore(directory, clock: clock)
        writer.put(key("a"), bytes(64))
        #expect(reader.output(for: key("a")).value?.bytes == bytes(64))
    }
}

/// Every kind of damage to an entry or an output is a miss with its reason, and a new put heals it.
@Suite struct CorruptionTests {
    let directory: TemporaryDirectory
    let store: ResultStore
    let output: OutputID
    let value = bytes(4_096)

    init() throws {
        directory = try TemporaryDirectory()
        store = makeStore(directory, clock: ManualClock())
        output = try #require(store.put(key("a"), value))
    }

    var entryPath: String { storeFile(directory, key("a").hex, "-a") }
    var outputPath: String { storeFile(directory, output.hex, "-d") }

    func overwrite(_ path: String, _ contents: [UInt8]) throws {
        try Data(contents).write(to: URL(fileURLWithPath: path))
    }

    func expectMiss(_ reason: MissReason, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(store.output(for: key("a")) == .miss(reason), sourceLocation: sourceLocation)
        // A put makes the key whole again.
        store.put(key("a"), value)
        #expect(store.output(for: key("a")).value?.bytes == value, sourceLocation: sourceLocation)
    }

    @Test func truncatedEntry() throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: entryPath)))
        try overwrite(entryPath, Array(original.prefix(100)))
        expectMiss(.malformedEntry("100 bytes, expected 177"))
    }

    @Test func zeroLengthEntry() throws {
        try overwrite(entryPath, [])
        expectMiss(.malformedEntry("0 bytes, expected 177"))
    }

    @Test func oversizedEntry() throws {
        try overwrite(entryPath, bytes(1 << 20))
        expectMiss(.malformedEntry("1048576 bytes, expected 177"))
    }

    @Test func garbageEntryOfTheRightSize() throws {
        try overwrite(entryPath, [UInt8](repeating: 0x41, count: 177))
        expectMiss(.malformedEntry("bad header"))
    }

    @Test func entryWithADamagedNumber() throws {
        var original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: entryPath)))
        original[160] = UInt8(ascii: "x")
        try overwrite(entryPath, original)
        expectMiss(.malformedEntry("bad number"))
    }

    @Test func entryWithADamagedHash() throws {
        var original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: entryPath)))
        original[80] = UInt8(ascii: "Z")
        try overwrite(entryPath, original)
        expectMiss(.malformedEntry("bad hash"))
    }

    @Test func entryFiledUnderTheWrongID() throws {
        store.put(key("b"), bytes(10))
        let other = try Data(contentsOf: URL(fileURLWithPath: storeFile(directory, key("b").hex, "-a")))
        try overwrite(entryPath, [UInt8](other))
        expectMiss(.wrongID)
    }

    @Test func missingOutput() throws {
        try FileManager.default.removeItem(atPath: outputPath)
        expectMiss(.outputMissing)
    }

    @Test func truncatedOutput() throws {
        try overwrite(outputPath, Array(value.prefix(1_000)))
        expectMiss(.sizeMismatch(expected: 4_096, actual: 1_000))
    }

    @Test func zeroLengthOutput() throws {
        try overwrite(outputPath, [])
        expectMiss(.sizeMismatch(expected: 4_096, actual: 0))
    }

    @Test func oversizedOutput() throws {
        try overwrite(outputPath, value + [0])
        expectMiss(.sizeMismatch(expected: 4_096, actual: 4_097))
    }

    @Test func garbageOutputOfTheRightSize() throws {
        var damaged = value
        damaged[2_000] ^= 0xFF
        try overwrite(outputPath, damaged)
        expectMiss(.checksumMismatch)
    }

    @Test func outputReplacedByAnotherValidOutput() throws {
        // Another output's bytes under this output's name: a right size is not enough.
        try overwrite(outputPath, bytes(4_096, seed: 7))
        expectMiss(.checksumMismatch)
    }

    @Test func entryThatIsADirectory() throws {
        try FileManager.default.removeItem(atPath: entryPath)
        try FileManager.default.createDirectory(atPath: entryPath, withIntermediateDirectories: false)
        #expect(store.output(for: key("a")).missReason != nil)
    }
}

@Suite struct FailureTests {
    @Test func anUncreatableDirectoryWarnsOnceAndMisses() throws {
        let directory = try TemporaryDirectory()
        // A regular file where the store's parent directory should be: creating it fails with ENOTDIR.
        _ = FileManager.default.createFile(atPath: directory.path + "/file", contents: Data())
        let warnings = WarningLog()
        let store = ResultStore(
            directory: directory.path + "/file/store",
            configuration: StoreConfiguration(clock: ManualClock().function, warn: warnings.function)
        )
        #expect(store.put(key("a"), bytes(10)) == nil)
        #expect(store.put(key("b"), bytes(10)) == nil)
        #expect(store.output(for: key("a")) == .miss(.unavailable))
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.hasPrefix("cannot write to the test cache in \(directory.path)/file/store: ") == true)
        #expect(warnings.all.first?.hasSuffix("going on without caching") == true)
    }

    @Test func aBlockedFanOutDirectoryStopsWritingWithOneWarning() throws {
        let directory = try TemporaryDirectory()
        let warnings = WarningLog()
        let store = makeStore(directory, clock: ManualClock(), warnings: warnings)
        store.put(key("first"), bytes(1))
        // Block the fan-out directory of key "a" with a regular file.
        let shard = directory.storePath + "/" + String(key("a").hex.prefix(2))
        try? FileManager.default.removeItem(atPath: shard)
        _ = FileManager.default.createFile(atPath: shard, contents: Data())
        #expect(store.put(key("a"), bytes(10)) == nil)
        #expect(store.put(key("a"), bytes(11)) == nil)
        #expect(warnings.all.count == 1)
        // What was stored before still reads back, unless it was in the blocked directory.
        if !shard.hasSuffix(String(key("first").hex.prefix(2))) {
            #expect(store.output(for: key("first")).value?.bytes == bytes(1))
        }
    }
}
