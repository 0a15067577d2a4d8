import Synchronization
import TestCacheStore

/// What the stat cache remembers of a file whose contents were hashed.
struct StatRecord: Hashable, Sendable {
    var size: Int64
    var modified: Int64
    var changed: Int64
    var inode: UInt64
    var digest: OutputID

    func matches(_ status: FileStatus) -> Bool {
        size == status.size && modified == status.modified && changed == status.changed && inode == status.inode
    }
}

/// Content hashes of files under a root, skipping the work for files unchanged since the last run.
///
/// A file is re-hashed unless its size, mtime, ctime and inode all match the record of the last run.
/// A file changed within ``racyWindow`` of the scan is hashed but not remembered: file times are only
/// as fine as the kernel's clock tick, so a second same-size edit in the same tick would keep every
/// recorded field and be served a stale hash (git's "racily clean" problem). ctime catches a file whose
/// mtime was set back by hand.
final class InputHasher: Sendable {
    /// Files changed this recently are not remembered: far above any file system's timestamp tick.
    static let racyWindow: Int64 = 2_000_000_000

    let root: String
    private let previous: [String: StatRecord]
    private let scanStart: Int64
    private let state = Mutex<(records: [String: StatRecord], reads: Int, seen: Set<String>)>(([:], 0, []))
    /// Trees already hashed in this run: targets share dependencies.
    private let trees = Mutex<[String: [(path: String, digest: OutputID)]]>([:])

    /// Directory names never descended into: build output, SwiftPM and version-control bookkeeping.
    static let skippedDirectories: Set<String> = [".build", ".swiftpm", ".git"]

    init(root: String, previous: [String: StatRecord], now: Int64) {
        self.root = root
        self.previous = previous
        self.scanStart = now
    }

    /// The hash of one file, by its path relative to the root; nil when it is missing or not a file.
    func hashFile(_ relativePath: String) -> OutputID? {
        let path = root + "/" + relativePath
        guard let status = FileSystem.status(following: path), status.isRegular else { return nil }
        return hash(relativePath, status)
    }

    /// Every file under a directory (relative to the root), sorted by path, each with its content hash.
    ///
    /// Symbolic links are followed, as SwiftPM follows them; a directory reached twice through links is
    /// read once. Hidden files count: a test may read them.
    func hashTree(_ relativeDirectory: String) -> [(path: String, digest: OutputID)] {
        if let known = trees.withLock({ $0[relativeDirectory] }) { return known }
        var files: [(path: String, digest: OutputID)] = []
        var visited: Set<UInt64> = []
        walk(relativeDirectory == "." ? "" : relativeDirectory, into: &files, visited: &visited)
        files.sort { $0.path < $1.path }
        trees.withLock { $0[relativeDirectory] = files }
        return files
    }

    private func walk(_ relative: String, into files: inout [(path: String, digest: OutputID)], visited: inout Set<UInt64>) {
        let absolute = relative.isEmpty ? root : root + "/" + relative
        guard let directoryStatus = FileSystem.status(following: absolute), directoryStatus.isDirectory,
            visited.insert(directoryStatus.inode).inserted
        else { return }
        var children: [(String, FileStatus)] = []
        FileSystem.forEachFile(inDirectory: absolute) { name, status in
            children.append((name, status))
            return false
        }
        for (name, linkStatus) in children {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var status = linkStatus
            if status.isSymbolicLink {
                guard let target = FileSystem.status(following: absolute + "/" + name) else { continue }
                status = target
            }
            if status.isDirectory {
                if !Self.skippedDirectories.contains(name) { walk(childRelative, into: &files, visited: &visited) }
            } else if status.isRegular, let digest = hash(childRelative, status) {
                files.append((childRelative, digest))
            }
        }
    }

    private func hash(_ relativePath: String, _ status: FileStatus) -> OutputID? {
        state.withLock { _ = $0.seen.insert(relativePath) }
        if let record = previous[relativePath], record.matches(status) {
            remember(relativePath, record, read: false)
            return record.digest
        }
        guard let bytes = FileSystem.contents(root + "/" + relativePath) else { return nil }
        let record = StatRecord(
            size: status.size, modified: status.modified, changed: status.changed, inode: status.inode,
            digest: OutputID(of: bytes)
        )
        let settled = max(status.modified, status.changed) < scanStart - Self.racyWindow
        if settled {
            remember(relativePath, record, read: true)
        } else {
            state.withLock { $0.reads += 1 }
        }
        return record.digest
    }

    private func remember(_ path: String, _ record: StatRecord, read: Bool) {
        state.withLock {
            $0.records[path] = record
            if read { $0.reads += 1 }
        }
    }

    /// How many files were read and hashed (the rest came from the stat cache).
    var filesRead: Int { state.withLock { $0.reads } }

    /// How many different files were asked for.
    var filesSeen: Int { state.withLock { $0.seen.count } }

    /// The records to keep for the next run: every settled file seen in this one.
    var records: [String: StatRecord] { state.withLock { $0.records } }
}

/// The stat cache's on-disk form: one line per file, `digest size mtime ctime inode path`.
enum StatCacheFormat {
    static let header = "stc-statcache 1\n"

    static func encode(_ records: [String: StatRecord]) -> [UInt8] {
        var text = header
        for (path, record) in records.sorted(by: { $0.key < $1.key }) {
            text += "\(record.digest.hex) \(record.size) \(record.modified) \(record.changed) \(record.inode) \(path)\n"
        }
        return Array(text.utf8)
    }

    /// Parses a stat cache; anything malformed gives an empty cache (every file is hashed again).
    static func decode(_ bytes: [UInt8]) -> [String: StatRecord] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix(header) else { return [:] }
        var records: [String: StatRecord] = [:]
        for line in text.dropFirst(header.count).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, let digest = OutputID(hex: String(fields[0])), let size = Int64(fields[1]),
                let modified = Int64(fields[2]), let changed = Int64(fields[3]), let inode = UInt64(fields[4])
            else { return [:] }
            records[String(fields[5])] = StatRecord(
                size: size, modified: modified, changed: changed, inode: inode, digest: digest
            )
        }
        return records
    }
}
