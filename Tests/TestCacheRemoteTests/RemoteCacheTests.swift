import Foundation
import Synchronization
import Testing
import TestCacheStore
import _TestSupport
@testable import TestCacheRemote

/// A local store in a temporary directory, with the directory that keeps it.
func makeStore() throws -> (ResultStore, TemporaryDirectory) {
    let directory = try TemporaryDirectory()
    return (_TestSupport.makeStore(directory), directory)
}

/// A remote cache for a test. The default timeout is generous, since the whole suite loads both cores
/// with builds (5 s was once too short for 60 requests to nginx); the hang tests pass short ones.
func remote(_ url: String, key: String? = nil, readOnly: Bool = false, timeout: Duration = .seconds(60), warnings: WarningLog) throws -> RemoteCache {
    var configuration = try RemoteCacheConfiguration(url: url)
    configuration.signingKey = key.map { Array($0.utf8) }
    configuration.readOnly = readOnly
    configuration.connectTimeout = timeout
    configuration.requestTimeout = timeout
    configuration.flushTimeout = timeout
    return RemoteCache(configuration, warn: warnings.function)
}

/// Against nginx with WebDAV uploads, as a team would run it.
@Suite(.serialized) struct NginxRemoteCacheTests {
    let nginx: NginxServer
    init() throws { nginx = try NginxServer() }

    @Test func whatOneStoreUploadsAnotherFetchesSignedAndVerified() async throws {
        let warnings = WarningLog()
        let writer = try remote(nginx.url, key: "team secret", warnings: warnings)
        let entries = (0..<20).map { (key($0), Array("output \($0)\n".utf8) + Array(repeating: UInt8($0), count: $0 * 1000)) }
        for (id, bytes) in entries { writer.upload(id, bytes) }
        await writer.flush()
        #expect(writer.counters.uploads == 20)
        #expect(writer.counters.bytesUp > 0)
        #expect(FileManager.default.fileExists(atPath: nginx.data + "/ac/" + key(3).hex))

        let (store, directory) = try makeStore()
        _ = directory
        let reader = try remote(nginx.url, key: "team secret", warnings: warnings)
        await reader.fetch(entries.map(\.0) + [key(99)], into: store)
        for (id, bytes) in entries { #expect(store.output(for: id).value?.bytes == bytes) }
        #expect(reader.counters.hits == 20 && reader.counters.misses == 1 && reader.counters.failures == 0)
        #expect(warnings.all.isEmpty, "\(warnings.all)")

        // Already in the local store: not asked for again.
        await reader.fetch(entries.map(\.0), into: store)
        #expect(reader.counters.hits == 20)
    }

    @Test func aForgedUnsignedRecordIsAMissWhenAKeyIsSet() async throws {
        let warnings = WarningLog()
        // Someone who can write to the server but lacks the key stores a "passing" result of their own.
        let forger = try remote(nginx.url, warnings: warnings)
        forger.upload(key(1), Array("stc-test-result 1 ok\nforged\n".utf8))
        await forger.flush()

        let (store, directory) = try makeStore()
        _ = directory
        let signed = try remote(nginx.url, key: "team secret", warnings: warnings)
        await signed.fetch([key(1)], into: store)
        #expect(store.output(for: key(1)).value == nil)
        #expect(signed.counters.hits == 0 && signed.counters.failures == 1)
        #expect(warnings.all.count == 1 && warnings.all[0].contains("signature"), "\(warnings.all)")

        // Signed with another key: a miss too.
        let other = try remote(nginx.url, key: "another secret", warnings: warnings)
        other.upload(key(2), Array("stc-test-result 1 ok\n".utf8))
        await other.flush()
        await signed.fetch([key(2)], into: store)
        #expect(store.output(for: key(2)).value == nil)

        // Without a key, an unsigned record is used: the README says what that trusts.
        let unsigned = try remote(nginx.url, warnings: WarningLog())
        await unsigned.fetch([key(1)], into: store)
        #expect(store.output(for: key(1)).value != nil)
    }

    @Test func aCorruptedBlobIsAMissAndNothingIsStored() async throws {
        let warnings = WarningLog()
        let writer = try remote(nginx.url, warnings: warnings)
        let bytes = Array("stc-test-result 1 ok\nthe real output\n".utf8)
        writer.upload(key(7), bytes)
        await writer.flush()
        let blob = nginx.data + "/cas/" + OutputID(of: bytes).hex
        #expect(FileManager.default.fileExists(atPath: blob))
        try Data("stc-test-result 1 ok\nthe fake output\n".utf8).write(to: URL(fileURLWithPath: blob))

        let (store, directory) = try makeStore()
        _ = directory
        let reader = try remote(nginx.url, warnings: warnings)
        await reader.fetch([key(7)], into: store)
        #expect(store.output(for: key(7)).value == nil)
        #expect(reader.counters.failures == 1)
        #expect(warnings.all == ["the remote cache gave a blob whose content does not match its SHA-256; treated as a miss"])
    }

    @Test func readOnlyUploadsNothing() async throws {
        let cache = try remote(nginx.url, readOnly: true, warnings: WarningLog())
        cache.upload(key(5), [1, 2, 3])
        await cache.flush()
        #expect(cache.counters.uploads == 0)
        #expect(!FileManager.default.fileExists(atPath: nginx.data + "/ac/" + key(5).hex))
    }
}

/// Faults are misses (or skipped uploads) with one warning per run, and never hang a run.
@Suite struct RemoteCacheFaultTests {
    /// Fetches `count` keys from a server that answers every request with `misbehaviour`.
    func fetch(
        from misbehaviour: Misbehaviour, count: Int = 5, timeout: Duration = .seconds(60)
    ) async throws -> (RemoteCache, WarningLog, [String], ResultStore) {
        let server = try MisbehavingServer { _, _ in misbehaviour }
        let warnings = WarningLog()
        let cache = try remote(server.url, timeout: timeout, warnings: warnings)
        let (store, directory) = try makeStore()
        _ = directory
        await cache.fetch((0..<count).map(key), into: store)
        for n in 0..<count { #expect(store.output(for: key(n)).value == nil) }
        return (cache, warnings, server.requests, store)
    }

    @Test func aServerThatIsDownIsOneWarningAndNoMoreRequests() async throws {
        let port = try freeLoopbackPort()
        let warnings = WarningLog()
        let cache = try remote("http://127.0.0.1:\(port)", warnings: warnings)
        let (store, directory) = try makeStore()
        _ = directory
        await cache.fetch((0..<20).map(key), into: store)
        cache.upload(key(1), [1])
        await cache.flush()
        #expect(warnings.all.count == 1 && warnings.all[0].contains("unreachable"), "\(warnings.all)")
        // At most the requests already under way when the first failed.
        #expect(cache.counters.failures <= RemoteCache.parallelRequests)
        #expect(cache.counters.uploads == 0)
    }

    @Test(.timeLimit(.minutes(5))) func aServerThatHangsCostsOneTimeout() async throws {
        let (cache, warnings, requests, _) = try await fetch(from: .hang, count: 40, timeout: .milliseconds(500))
        #expect(warnings.all.count == 1 && warnings.all[0].contains("unreachable"), "\(warnings.all)")
        #expect(requests.count <= RemoteCache.parallelRequests, "no request is started once one timed out: \(requests.count)")
        #expect(cache.counters.hits == 0)
    }

    @Test func resetConnectionsAreMisses() async throws {
        let (_, warnings, _, _) = try await fetch(from: .reset)
        #expect(warnings.all.count == 1 && warnings.all[0].contains("unreachable"), "\(warnings.all)")
    }

    @Test(arguments: [500, 503, 403, 401, 302])
    func unexpectedStatusesAreMissesWithOneWarning(status: Int) async throws {
        let (cache, warnings, requests, _) = try await fetch(from: .reply(status: status, body: Array("oops".utf8)))
        #expect(warnings.all == ["the remote cache answered \(status) to GET of a action record; treated as a miss"])
        #expect(requests.count == 5, "a server that answers is asked for every key")
        #expect(cache.counters.failures == 5)
    }

    @Test func notFoundIsAPlainMiss() async throws {
        let (cache, warnings, _, _) = try await fetch(from: .reply(status: 404, body: []))
        #expect(warnings.all.isEmpty)
        #expect(cache.counters.misses == 5 && cache.counters.failures == 0)
    }

    @Test func garbageRecordsAreMisses() async throws {
        let (_, warnings, requests, _) = try await fetch(from: .reply(status: 200, body: Array("<html>hello</html>".utf8)))
        #expect(warnings.all.count == 1 && warnings.all[0].contains("not one of ours"), "\(warnings.all)")
        #expect(requests.allSatisfy { $0.hasPrefix("GET /ac/") })
    }

    @Test func aTruncatedBodyIsAMiss() async throws {
        let (_, warnings, _, _) = try await fetch(from: .truncated(declared: 1_000, body: Array("stc-remote-ac 1\n".utf8)))
        #expect(warnings.all.count == 1, "\(warnings.all)")
    }

    @Test func aBlobThatIsNotWhatTheRecordNamesIsAMiss() async throws {
        let bytes = Array("the real output".utf8)
        let record = ActionRecord(hash: OutputID(of: bytes).hex, size: bytes.count).encoded(key: key(0), signingKey: nil)
        let server = try MisbehavingServer { _, path in
            path.hasPrefix("/ac/") ? .reply(status: 200, body: record) : .reply(status: 200, body: Array("the fake output".utf8))
        }
        let warnings = WarningLog()
        let cache = try remote(server.url, warnings: warnings)
        let (store, directory) = try makeStore()
        _ = directory
        await cache.fetch([key(0)], into: store)
        #expect(store.output(for: key(0)).value == nil)
        #expect(warnings.all.count == 1 && warnings.all[0].contains("SHA-256"), "\(warnings.all)")
    }

    @Test func aFullDiskOnTheServerSkipsUploadsWithOneWarning() async throws {
        let server = try MisbehavingServer { method, _ in
            method == "HEAD" ? .reply(status: 404, body: []) : .reply(status: 507, body: Array("Insufficient Storage".utf8))
        }
        let warnings = WarningLog()
        let cache = try remote(server.url, warnings: warnings)
        for n in 0..<5 { cache.upload(key(n), Array("output \(n)".utf8)) }
        await cache.flush()
        #expect(cache.counters.uploads == 0)
        #expect(warnings.all == ["the remote cache answered 507 to an upload; results of this run are not shared"])
    }

    @Test(.timeLimit(.minutes(5))) func uploadsToAServerThatHangsAreBoundedByTheFlush() async throws {
        let server = try MisbehavingServer { _, _ in .hang }
        let warnings = WarningLog()
        let cache = try remote(server.url, timeout: .milliseconds(500), warnings: warnings)
        for n in 0..<20 { cache.upload(key(n), Array("output \(n)".utf8)) }
        await cache.flush()
        #expect(cache.counters.uploads == 0)
        #expect(warnings.all.count == 1, "\(warnings.all)")
        _ = server
    }
}
