import Crypto
import Foundation
import Synchronization
public import TestCacheStore

/// Where a shared cache is and how to talk to it.
public struct RemoteCacheConfiguration: Sendable {
    /// `http://` or `https://` base URL, without a trailing slash; credentials in it are sent as Basic auth.
    public var baseURL: String
    /// Header lines sent with every request (`Authorization: Bearer …`).
    public var headers: [String] = []
    /// Look results up, never upload (pull requests read, main writes).
    public var readOnly = false
    /// The shared secret action records are signed with; with one set, unsigned or badly signed records are misses.
    public var signingKey: [UInt8]?
    /// A connection that takes longer than this is a failure: 3 s is far above any LAN or same-region
    /// round trip, and short enough that a dead server costs a run little.
    public var connectTimeout: Duration = .seconds(3)
    /// A request that takes longer than this is a failure: test outputs are kilobytes to a few megabytes,
    /// which a working link moves in well under 20 s.
    public var requestTimeout: Duration = .seconds(20)
    /// How long the end of a run waits for uploads still under way: a run's own results upload in
    /// seconds; a server too slow for that should not hold the run.
    public var flushTimeout: Duration = .seconds(30)

    /// Checks `url` and keeps it: http or https, with a host.
    public init(url: String) throws(TestCacheError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty
        else {
            throw TestCacheError(.remoteCache, "the remote cache URL must be http:// or https:// with a host, not '\(url)'")
        }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// What one run did with the remote cache, for `-v` and `SWIFT_TESTCACHE_DEBUG=remote`.
public struct RemoteCacheCounters: Sendable, Equatable {
    public var hits = 0
    public var misses = 0
    public var uploads = 0
    public var bytesDown = 0
    public var bytesUp = 0
    /// Requests that failed (transport errors, unexpected statuses, records or blobs that did not verify).
    public var failures = 0
}

/// A shared cache spoken to with Bazel's HTTP remote-cache protocol: `GET`, `PUT` and `HEAD` on
/// `BASE/ac/<sha256>` (action records) and `BASE/cas/<sha256>` (content), as bazel-remote (with
/// `--disable_http_ac_validation`), nginx with WebDAV and other servers implement it.
///
/// An entry of the local store, key K and bytes V, is shared as the blob `cas/sha256(V)` and the action
/// record `ac/K`, which names the blob's hash and size and, with a signing key, carries an HMAC-SHA256
/// of both and of K. A blob is used only when its bytes hash to the name the record gives.
///
/// Faults are never failures: a miss (or a skipped upload), one warning per run, and after a transport
/// failure (refused, reset, timed out) nothing more is asked of the server in this run, so that a dead
/// server costs at most one timeout.
public final class RemoteCache: Sendable {
    let configuration: RemoteCacheConfiguration
    private let client: HTTPClient
    private let warn: @Sendable (String) -> Void
    private let state = Mutex<(counters: RemoteCacheCounters, warned: Bool, broken: Bool)>((RemoteCacheCounters(), false, false))
    /// Uploads started and not yet waited for.
    private let uploads = Mutex<[Task<Void, Never>]>([])
    /// Requests under way at once, lookups or uploads: enough to hide round trips, few enough not to
    /// flood a small server.
    static let parallelRequests = 8
    private let slots = Slots(RemoteCache.parallelRequests)

    /// Prepares the remote cache; nothing is loaded or asked until the first lookup or upload. `warn`
    /// gets one line per run.
    public init(_ configuration: RemoteCacheConfiguration, warn: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.warn = warn
        client = HTTPClient(
            connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout,
            headers: configuration.headers)
    }

    /// What this run did so far.
    public var counters: RemoteCacheCounters { state.withLock { $0.counters } }

    /// Fetches the entries of `keys` that `store` lacks from the remote into `store`, several at a time.
    public func fetch(_ keys: [ActionID], into store: ResultStore) async {
        let wanted = keys.filter { store.output(for: $0).value == nil }
        await withTaskGroup(of: Void.self) { group in
            for key in wanted {
                group.addTask {
                    await self.slots.acquire()
                    await self.fetch(key, into: store)
                    await self.slots.release()
                }
            }
        }
    }

    private func fetch(_ key: ActionID, into store: ResultStore) async {
        guard let record = await get("ac/" + key.hex, what: "action record") else { return }
        guard let reference = ActionRecord(parsing: record), reference.verifies(key: key, with: configuration.signingKey) else {
            fail(configuration.signingKey == nil
                ? "the remote cache gave an action record that is not one of ours; treated as a miss"
                : "the remote cache gave an action record without a valid signature for \(EnvironmentVariable.remoteKey); treated as a miss")
            return
        }
        guard let blob = await get("cas/" + reference.hash, what: "blob") else { return }
        guard blob.count == reference.size, OutputID(of: blob).hex == reference.hash else {
            fail("the remote cache gave a blob whose content does not match its SHA-256; treated as a miss")
            return
        }
        store.put(key, blob)
        state.withLock {
            $0.counters.hits += 1
            $0.counters.bytesDown += record.count + blob.count
        }
    }

    /// The body of `path`, or nil for a miss (404) or a fault (counted, and warned about once).
    private func get(_ path: String, what: String) async -> [UInt8]? {
        guard !state.withLock({ $0.broken }) else { return nil }
        switch await client.request("GET", configuration.baseURL + "/" + path) {
        case .response(200, let body):
            return body
        case .response(404, _):
            state.withLock { $0.counters.misses += 1 }
            return nil
        case .response(let status, _):
            fail("the remote cache answered \(status) to GET of a \(what); treated as a miss")
            return nil
        case .failure(let message):
            broke(message)
            return nil
        }
    }

    /// Uploads an entry in the background (unless read-only): the blob unless the server has it, then
    /// the record. ``flush()`` waits for it.
    public func upload(_ key: ActionID, _ bytes: [UInt8]) {
        guard !configuration.readOnly else { return }
        let hash = OutputID(of: bytes).hex
        let record = ActionRecord(hash: hash, size: bytes.count).encoded(key: key, signingKey: configuration.signingKey)
        let task = Task.detached {
            await self.slots.acquire()
            await self.upload(key, bytes, hash: hash, record: record)
            await self.slots.release()
        }
        uploads.withLock { $0.append(task) }
    }

    /// One upload: the blob unless the server has it, then the record.
    private func upload(_ key: ActionID, _ bytes: [UInt8], hash: String, record: [UInt8]) async {
        guard !state.withLock({ $0.broken }) else { return }
        let base = configuration.baseURL
        let present: Bool
        switch await client.request("HEAD", base + "/cas/" + hash) {
        case .response(200, _): present = true
        case .response: present = false
        case .failure(let message):
            broke(message)
            return
        }
        if !present {
            guard await put(base + "/cas/" + hash, bytes) else { return }
        }
        guard await put(base + "/ac/" + key.hex, record) else { return }
        state.withLock { $0.counters.uploads += 1 }
    }

    private func put(_ url: String, _ body: [UInt8]) async -> Bool {
        switch await client.request("PUT", url, body: body) {
        case .response(let status, _) where (200..<300).contains(status):
            state.withLock { $0.counters.bytesUp += body.count }
            return true
        case .response(let status, _):
            fail("the remote cache answered \(status) to an upload; results of this run are not shared")
            return false
        case .failure(let message):
            broke(message)
            return false
        }
    }

    /// Waits for the uploads under way, at most the configured bound; says so when some did not finish
    /// (they are abandoned: the process ends with the run).
    public func flush() async {
        let pending = uploads.withLock { uploads in
            defer { uploads = [] }
            return uploads
        }
        guard !pending.isEmpty else { return }
        let bound = configuration.flushTimeout
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in pending { await task.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: bound)  // cancelled when the uploads finished first: nothing to lose
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            warnOnce("uploads to the remote cache did not finish within \(bound); the rest are skipped")
        }
    }

    /// A transport failure: warned about once, and the server is not asked again in this run.
    private func broke(_ message: String) {
        let first = state.withLock { state -> Bool in
            state.counters.failures += 1
            defer { state.broken = true }
            return !state.broken
        }
        if first { warnOnce("the remote cache at \(configuration.baseURL) is unreachable (\(message)); going on without it") }
    }

    private func fail(_ message: String) {
        state.withLock { $0.counters.failures += 1 }
        warnOnce(message)
    }

    private func warnOnce(_ message: String) {
        let first = state.withLock { state -> Bool in
            defer { state.warned = true }
            return !state.warned
        }
        if first { warn(message) }
    }
}

/// A counting semaphore for tasks: waiting suspends the task, it blocks no thread.
actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// What `ac/<key>` holds: the hash and size of the blob stored for the key, and optionally a signature.
///
/// ```
/// stc-remote-ac 1
/// cas <sha256 hex> <size>
/// hmac <hex>
/// ```
/// The HMAC-SHA256 covers the first two lines and the key, so a record cannot be moved to another key.
struct ActionRecord: Equatable {
    static let header = "stc-remote-ac \(FormatVersion.remoteActionRecord)"
    var hash: String
    var size: Int
    var signature: String?

    init(hash: String, size: Int, signature: String? = nil) {
        self.hash = hash
        self.size = size
        self.signature = signature
    }

    init?(parsing bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0] == Self.header else { return nil }
        let cas = lines[1].split(separator: " ")
        guard cas.count == 3, cas[0] == "cas", OutputID(hex: String(cas[1])) != nil, let size = Int(cas[2]), size >= 0 else {
            return nil
        }
        hash = String(cas[1])
        self.size = size
        for line in lines.dropFirst(2) where !line.isEmpty {
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0] == "hmac", signature == nil else { return nil }
            signature = String(parts[1])
        }
    }

    /// The text that is signed: the record's content and the key it is filed under.
    private func signedText(key: ActionID) -> [UInt8] {
        Array("\(Self.header)\ncas \(hash) \(size)\nac \(key.hex)\n".utf8)
    }

    func encoded(key: ActionID, signingKey: [UInt8]?) -> [UInt8] {
        var text = "\(Self.header)\ncas \(hash) \(size)\n"
        if let signingKey { text += "hmac \(Self.mac(signedText(key: key), signingKey))\n" }
        return Array(text.utf8)
    }

    /// Whether the record may be used for `key`: always without a signing key; with one, only when its
    /// signature is the one the key makes (compared in constant time).
    func verifies(key: ActionID, with signingKey: [UInt8]?) -> Bool {
        guard let signingKey else { return true }
        guard let signature else { return false }
        // Compared in full whatever differs first, so the time taken says nothing of the right signature.
        let given = Array(signature.utf8), expected = Array(Self.mac(signedText(key: key), signingKey).utf8)
        return given.count == expected.count && zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func mac(_ text: [UInt8], _ key: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: text, using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }
}
