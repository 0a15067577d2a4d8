import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a store behaves: its size cap, its clock and where its one warning goes.
public struct StoreConfiguration: Sendable {
    /// The most bytes the store may hold after a trim, or nil for no cap.
    public var maxSize: Int64?
    /// The current time in nanoseconds since 1970; tests inject their own.
    public var clock: @Sendable () -> Int64
    /// Receives the store's single warning when it cannot write (the command layer prints it on stderr).
    public var warn: @Sendable (String) -> Void

    public init(
        maxSize: Int64? = nil,
        clock: @escaping @Sendable () -> Int64 = StoreConfiguration.systemClock,
        warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.maxSize = maxSize
        self.clock = clock
        self.warn = warn
    }

    /// The wall clock, in nanoseconds since 1970.
    public static let systemClock: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// How often the store maintains itself, with the reason for each number.
enum StorePolicy {
    static let hour: Int64 = 3_600 * 1_000_000_000
    /// A hit refreshes its files' mtime only when older than this: most hits then write nothing, and
    /// least-recently-used order stays exact to the hour, far finer than `unusedLimit`.
    static let touchInterval = hour
    /// Automatic trimming runs at most this often without a size cap: a walk of the store costs about a
    /// second at 100,000 entries, too much to pay on every run, nothing to pay once a day.
    static let trimInterval = 24 * hour
    /// With a size cap, trimming runs at most this often: the cap is exceeded by at most an hour's writes.
    static let cappedTrimInterval = hour
    /// Entries and outputs unused this long are removed: Go's choice, long enough to keep what a
    /// developer uses across a long weekend, short enough that results of old sources do not pile up.
    static let unusedLimit = 5 * 24 * hour
    /// A temporary file older than this belongs to a writer that died: a live put finishes in well under
    /// a second even for outputs of hundreds of megabytes.
    static let temporaryGrace = hour
}

/// An output read back from the store and verified against its entry.
public struct StoredOutput: Sendable, Equatable {
    public var entry: Entry
    public var bytes: [UInt8]
}

/// What the store holds.
public struct StoreStatistics: Sendable, Equatable {
    /// Index entries (stored results).
    public var entries = 0
    /// Output blobs; outputs shared by several entries count once.
    public var outputs = 0
    /// Bytes on disk of entries, outputs and stray temporary files.
    public var bytes: Int64 = 0
    /// The least and most recent use of an entry (mtime, refreshed at most hourly), in ns since 1970.
    public var oldestUse: Int64?
    public var newestUse: Int64?

    public init() {}
}

/// What a trim removed and left.
public struct TrimReport: Sendable, Equatable {
    public var removedEntries = 0
    public var removedOutputs = 0
    public var removedTemporaries = 0
    public var freedBytes: Int64 = 0
    public var remainingBytes: Int64 = 0

    public init() {}
}

/// A content-addressed result store on disk, safe to share between processes.
///
/// Layout, under ``directory``: 256 fan-out directories `00`…`ff` named by a hash's first byte; in them
/// `<action>-a`, one fixed-size index entry per ``ActionID`` naming its ``OutputID``, size and time, and
/// `<output>-d`, each output stored once under its own hash. Beside them `README`, `trim.txt` (time of
/// the last trim) and `expire.txt` (results stored up to that time are expired).
///
/// Nothing here fails its caller because of the cache's state: every problem with an entry or an
/// output is a ``MissReason``, and a store that cannot write warns once and stops writing.
public final class ResultStore: Sendable {
    /// The store's root directory.
    public let directory: String
    private let configuration: StoreConfiguration
    /// Entries stored at or before this time are expired (read once, when the store is opened).
    private let expiredThrough: Int64?
    /// Why writing failed, once it has; from then on writes are skipped and nothing more is said.
    private let writeFailure = Mutex<String?>(nil)
    /// Whether the root could not be created when the store was opened: every lookup is then `.unavailable`.
    private let isUnavailable: Bool

    /// File names at the root.
    static let readmeName = "README"
    static let trimStampName = "trim.txt"
    static let expireMarkName = "expire.txt"

    /// Opens the store at `directory`, creating it with its README if needed.
    ///
    /// A directory that cannot be created gives a store that misses and does not write, after one warning.
    public init(directory: String, configuration: StoreConfiguration = StoreConfiguration()) {
        self.directory = directory
        self.configuration = configuration
        self.expiredThrough = Self.readStamp(directory + "/" + Self.expireMarkName, fallbackToModification: true)
        let rootResult = FileSystem.status(atPath: directory) == nil ? Self.createRoot(directory, now: configuration.clock()) : 0
        isUnavailable = rootResult != 0
        if isUnavailable { disableWrites(errorText(rootResult)) }
    }

    // MARK: Reading

    /// The entry stored under `id`, or why there is none. Does not read the output.
    public func entry(for id: ActionID) -> Lookup<Entry> {
        readEntry(id).map { entry, _ in entry }
    }

    /// The output stored under `id`, verified by size and SHA-256, or why there is none.
    public func output(for id: ActionID) -> Lookup<StoredOutput> {
        let found = readEntry(id)
        guard case .hit(let (entry, now)) = found else { return .miss(found.missReason!) }
        let descriptor = FileSystem.openForReading(outputPath(entry.outputID))
        guard descriptor >= 0 else {
            return .miss(errno == ENOENT ? .outputMissing : .unreadable(errorText(errno)))
        }
        defer { close(descriptor) }
        guard let status = FileSystem.status(of: descriptor) else { return .miss(.unreadable(errorText(errno))) }
        guard status.size == entry.size else {
            return .miss(.sizeMismatch(expected: entry.size, actual: Int(status.size)))
        }
        guard let bytes = FileSystem.read(descriptor, count: entry.size) else {
            return .miss(.unreadable("short read"))
        }
        guard OutputID(of: bytes) == entry.outputID else { return .miss(.checksumMismatch) }
        refreshUse(descriptor, status, now: now)
        return .hit(StoredOutput(entry: entry, bytes: bytes))
    }

    /// Reads, checks and (at most hourly) touches the entry for `id`; gives the clock reading it used.
    private func readEntry(_ id: ActionID) -> Lookup<(Entry, Int64)> {
        guard !isUnavailable else { return .miss(.unavailable) }
        let descriptor = FileSystem.openForReading(entryPath(id))
        guard descriptor >= 0 else {
            return .miss(errno == ENOENT ? .notFound : .unreadable(errorText(errno)))
        }
        defer { close(descriptor) }
        guard let status = FileSystem.status(of: descriptor) else { return .miss(.unreadable(errorText(errno))) }
        // Checked before reading, so an oversized file of garbage costs nothing.
        guard status.size == EntryFormat.encodedSize else {
            return .miss(.malformedEntry("\(status.size) bytes, expected \(EntryFormat.encodedSize)"))
        }
        guard let bytes = FileSystem.read(descriptor, count: EntryFormat.encodedSize) else {
            return .miss(.malformedEntry("short read"))
        }
        let decoded = EntryFormat.decode(bytes, filedUnder: id)
        guard case .hit(let entry) = decoded else { return .miss(decoded.missReason!) }
        if let expiredThrough, entry.storedAt <= expiredThrough { return .miss(.expired) }
        let now = configuration.clock()
        refreshUse(descriptor, status, now: now)
        return .hit((entry, now))
    }

    /// Marks a file used now, if its last mark is over an hour old; failure only makes trimming less exact.
    private func refreshUse(_ descriptor: Int32, _ status: FileStatus, now: Int64) {
        if now - status.modified > StorePolicy.touchInterval {
            FileSystem.setTimes(descriptor, nanoseconds: now)
        }
    }

    // MARK: Writing

    /// Stores `bytes` as the output of `id`; gives its output ID, or nil when the store is not writing.
    ///
    /// The output is written before the entry that names it, so an entry a reader finds always names a
    /// complete output (unless a trim removed it since, which the reader sees as a miss).
    @discardableResult
    public func put(_ id: ActionID, _ bytes: [UInt8]) -> OutputID? {
        guard !writesDisabled else { return nil }
        let now = configuration.clock()
        let output = OutputID(of: bytes)
        guard storeOutput(output, bytes, now: now) else { return nil }
        return writeEntry(id, Entry(outputID: output, size: bytes.count, storedAt: now)) ? output : nil
    }

    /// Files `id` under an output already in the store (a second key for the same result).
    ///
    /// Returns false, writing nothing, when that output is not stored with that size.
    @discardableResult
    public func link(_ id: ActionID, to output: OutputID, size: Int) -> Bool {
        guard !writesDisabled, let status = FileSystem.status(atPath: outputPath(output)), status.size == size
        else { return false }
        return writeEntry(id, Entry(outputID: output, size: size, storedAt: configuration.clock()))
    }

    /// Makes sure the output `id` is stored whole: an existing copy is reused only if it verifies.
    private func storeOutput(_ id: OutputID, _ bytes: [UInt8], now: Int64) -> Bool {
        let path = outputPath(id)
        let descriptor = FileSystem.openForReading(path)
        if descriptor >= 0 {
            defer { close(descriptor) }
            if let status = FileSystem.status(of: descriptor), status.size == bytes.count,
                let existing = FileSystem.read(descriptor, count: bytes.count), existing == bytes
            {
                refreshUse(descriptor, status, now: now)
                return true
            }
            // A damaged copy: replaced below, which heals it for every entry that names it.
        }
        return bytes.withUnsafeBytes { replace(path, with: $0, now: now) }
    }

    private func writeEntry(_ id: ActionID, _ entry: Entry) -> Bool {
        EntryFormat.encode(id, entry).withUnsafeBytes { replace(entryPath(id), with: $0, now: entry.storedAt) }
    }

    /// Writes a file atomically (see ``FileSystem/replaceAtomically(_:with:modified:)``), creating its
    /// fan-out directory, and the root after a `clean --all`, on first use.
    private func replace(_ path: String, with bytes: UnsafeRawBufferPointer, now: Int64) -> Bool {
        var result = FileSystem.replaceAtomically(path, with: bytes, modified: now)
        if result == ENOENT {
            let shard = String(path[..<path.lastIndex(of: "/")!])
            result = FileSystem.status(atPath: directory) == nil ? Self.createRoot(directory, now: now) : 0
            if result == 0 { result = FileSystem.makeDirectories(shard) }
            if result == 0 { result = FileSystem.replaceAtomically(path, with: bytes, modified: now) }
        }
        guard result == 0 else {
            disableWrites(errorText(result))
            return false
        }
        return true
    }

    // MARK: State and paths

    private var writesDisabled: Bool { writeFailure.withLock { $0 != nil } }

    /// Stops writing and sends the one warning; later failures say nothing more.
    private func disableWrites(_ reason: String) {
        let first = writeFailure.withLock { failure -> Bool in
            guard failure == nil else { return false }
            failure = reason
            return true
        }
        if first {
            configuration.warn("cannot write to the test cache in \(directory): \(reason); going on without caching")
        }
    }

    /// Creates the root and its README; returns 0 or an errno value.
    private static func createRoot(_ directory: String, now: Int64) -> Int32 {
        let result = FileSystem.makeDirectories(directory)
        guard result == 0 else { return result }
        let readme = """
            This directory is swift-testcache's store of test results (https://github.com/swift-testcache).
            Each entry records that a test target passed with exactly these inputs, and its output.
            It is safe to delete: `swift-testcache clean --all` does, and the next run rebuilds what it needs.

            """
        _ = Array(readme.utf8).withUnsafeBytes {
            FileSystem.replaceAtomically(directory + "/" + readmeName, with: $0, modified: now)
        }
        return 0
    }

    private func entryPath(_ id: ActionID) -> String { path(id.digest.hex, suffix: "-a") }
    private func outputPath(_ id: OutputID) -> String { path(id.digest.hex, suffix: "-d") }

    private func path(_ hex: String, suffix: String) -> String {
        "\(directory)/\(hex.prefix(2))/\(hex)\(suffix)"
    }

    /// The fan-out directory names, `00` to `ff`.
    static let shardNames: [String] = (0..<256).map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }

    /// Reads a decimal nanosecond stamp; a damaged expire mark falls back to its file's mtime, so a
    /// `clean` is never undone by a damaged mark.
    static func readStamp(_ path: String, fallbackToModification: Bool) -> Int64? {
        let descriptor = FileSystem.openForReading(path)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let status = FileSystem.status(of: descriptor) else { return nil }
        // A stamp is at most 20 digits and a newline; anything longer is damage.
        if status.size <= 21, let bytes = FileSystem.read(descriptor, count: Int(status.size)),
            let value = Int64(String(decoding: bytes, as: UTF8.self).filter { $0 != "\n" }), value >= 0
        {
            return value
        }
        return fallbackToModification ? status.modified : nil
    }

    func writeStamp(_ name: String, _ value: Int64) -> Bool {
        Array("\(value)\n".utf8).withUnsafeBytes { replace(directory + "/" + name, with: $0, now: value) }
    }

    var storeConfiguration: StoreConfiguration { configuration }
}

extension Lookup {
    func map<T>(_ transform: (Value) -> T) -> Lookup<T> {
        switch self {
        case .hit(let value): .hit(transform(value))
        case .miss(let reason): .miss(reason)
        }
    }
}
