import Foundation
import Testing
import TestCacheStore
import _TestSupport

/// `swift-testcache cache` and `clean`, run as a user runs them, each test with its own store.
@Suite struct StoreCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func run(_ arguments: String..., extra: [String: String] = [:]) throws -> ProcessResult {
        try runTool(arguments, store: directory.storePath, environment: extra)
    }

    @Test func cacheDescribesAnEmptyStore() throws {
        let result = try run("cache")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            directory   \(directory.storePath)
            size        0 B (no cap)
            entries     0 (0 distinct outputs)

            """)
    }

    @Test func cacheCountsEntriesAndShowsTheCap() throws {
        let store = ResultStore(directory: directory.storePath)
        store.put(key("a"), Array(repeating: 7, count: 2_048))
        store.put(key("b"), Array(repeating: 7, count: 2_048))
        let result = try run("cache", extra: ["SWIFT_TESTCACHE_MAX_SIZE": "500M"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        // Two entries of 177 bytes and one shared output of 2,048 bytes.
        #expect(lines[1] == "size        2.3 KiB (cap 500.0 MiB)")
        #expect(lines[2] == "entries     2 (1 distinct outputs)")
        #expect(lines[3].hasPrefix("oldest use  20"))
        #expect(lines[4].hasPrefix("newest use  20"))
    }

    @Test func cleanExpiresWithoutDeleting() throws {
        let store = ResultStore(directory: directory.storePath)
        store.put(key("a"), [1, 2, 3])
        let result = try run("clean")
        #expect(result.status == 0)
        #expect(result.stdout == "" && result.stderr == "")
        let reopened = ResultStore(directory: directory.storePath)
        #expect(reopened.output(for: key("a")) == .miss(.expired))
        #expect(reopened.statistics().entries == 1)
    }

    @Test func cleanAllDeletesTheStore() throws {
        ResultStore(directory: directory.storePath).put(key("a"), [1, 2, 3])
        let result = try run("clean", "--all")
        #expect(result.status == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.storePath))
    }

    @Test func aRelativeStoreDirectoryIsAUsageError() throws {
        let result = try run("cache", extra: ["SWIFT_TESTCACHE_DIR": "relative/cache"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "swift-testcache: error: SWIFT_TESTCACHE_DIR must be an absolute path, not 'relative/cache'\n")
    }

    @Test func aBadSizeCapIsAUsageError() throws {
        let result = try run("clean", extra: ["SWIFT_TESTCACHE_MAX_SIZE": "huge"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("swift-testcache: error: SWIFT_TESTCACHE_MAX_SIZE must be a size such as 500M"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func anUnwritableStoreWarnsOnceAndCleanFails() throws {
        _ = FileManager.default.createFile(atPath: directory.path + "/file", contents: Data())
        let result = try run("clean", extra: ["SWIFT_TESTCACHE_DIR": directory.path + "/file/store"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("swift-testcache: warning: cannot write to the test cache in ") == true)
        #expect(lines.last?.hasPrefix("swift-testcache: error: cannot write the expiry mark in ") == true)
    }

    @Test func anUnknownFlagIsAUsageError() throws {
        let result = try run("clean", "--everything")
        #expect(result.status == 2)
        #expect(result.stderr == "swift-testcache: error: Unknown option '--everything' (see 'swift-testcache help')\n")
    }
}
