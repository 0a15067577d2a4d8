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
    /// One key per tree, made once per run from its files; see ``treeKey(_:make:)``.
    private let treeKeys = Mutex<[String: ActionID]>([:])
    /// Every file, tree and directory listing asked for, present or not: what `watch` watches.
    private let asked = Mutex(ConsultedPaths())

    /// Directory names never descended into: build output, SwiftPM and version-control bookkeeping.
    static let skippedDirectories: Set<String> = [".build", ".swiftpm", ".git"]

    init(root: String, previous: [String: StatRecord], now: Int64) {
        self.root = root
        self.previous = previous
        self.scanStart = now
        // A run sees about the files the last one did: room for them up front, not grown file by file.
        state.withLock {
            $0.records.reserveCapacity(previous.count)
            $0.seen.reserveCapacity(previous.count)
        }
    }

    /// The hash of one file, by its path relative to the root; nil when it is missing or not a file.
    func hashFile(_ relativePath: String) -> OutputID? {
        // Asked for even when missing: creating it later changes a key.
        asked.withLock { _ = $0.files.insert(relativePath) }
        let path = root + "/" + relativePath
        guard let status = FileSystem.status(following: path), status.isRegular else { return nil }
        return hash(relativePath, status)
    }

    /// Every file under a directory (relative to the root, or absolute when it shares nothing with the
    /// root), sorted by path (given the same way), each with its content hash.
    ///
    /// Symbolic links are followed, as SwiftPM follows them; a directory reached twice through links is
    /// read once. Hidden files count: a test may read them.
    func hashTree(_ relativeDirectory: String) -> [(path: String, digest: OutputID)] {
        if let known = trees.withLock({ $0[relativeDirectory] }) { return known }
        asked.withLock { _ = $0.trees.insert(relativeDirectory) }
        var files: [(path: String, digest: OutputID)] = []
        var visited: Set<UInt64> = []
        walk(relativeDirectory == "." ? "" : relativeDirectory, into: &files, visited: &visited)
        files.sort { $0.path < $1.path }
        trees.withLock { $0[relativeDirectory] = files }
        return files
    }

    /// A key standing for every file of a tree, made by `make` from ``hashTree(_:)`` once per run.
    ///
    /// Targets share most of their dependency trees: folding each tree into one key first keeps the cost
    /// of keying T targets over D trees of F files at D·F + T·D rather than T·D·F (with 100 test targets
    /// over 2,000 files, this was a third of a fully cached run).
    func treeKey(_ relativeDirectory: String, make: ([(path: String, digest: OutputID)]) -> ActionID) -> ActionID {
        if let known = treeKeys.withLock({ $0[relativeDirectory] }) { return known }
        let key = make(hashTree(relativeDirectory))
        treeKeys.withLock { $0[relativeDirectory] = key }
        return key
    }

    private func walk(_ relative: String, into files: inout [(path: String, digest: OutputID)], visited: inout Set<UInt64>) {
        let absolute = absolutePath(relative)
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
        guard let bytes = FileSystem.contents(absolutePath(relativePath)) else { return nil }
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

    /// The names in a directory (relative to the root), sorted; nil when it is not a directory. A key
    /// made of them changes when an entry is added or removed.
    func entryNames(of relativeDirectory: String) -> [String]? {
        asked.withLock { _ = $0.listings.insert(relativeDirectory) }
        let absolute = absolutePath(relativeDirectory == "." ? "" : relativeDirectory)
        guard FileSystem.status(following: absolute)?.isDirectory == true else { return nil }
        var names: [String] = []
        FileSystem.forEachFile(inDirectory: absolute) { name, _ in
            names.append(name)
            return false
        }
        return names.sorted()
    }

    /// Every file, tree and listing this hasher was asked for so far, relative to the root (or absolute).
    var consulted: ConsultedPaths { asked.withLock { $0 } }

    /// A path given relative to the root, or absolute, made absolute.
    private func absolutePath(_ path: String) -> String {
        path.isEmpty ? root : path.hasPrefix("/") ? path : root + "/" + path
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

    /// Whether the records differ from the previous run's: a file was read (new, or changed), or not
    /// every previous file was seen again. Cheaper than comparing the two dictionaries.
    var recordsChanged: Bool {
        state.withLock { $0.reads > 0 || $0.records.count != previous.count }
    }
}

/// The paths a hasher was asked for: whatever changes among them can change a key.
struct ConsultedPaths: Sendable, Equatable {
    /// Files hashed one by one (manifests, traced inputs, headers), present or not.
    var files: Set<String> = []
    /// Directories hashed whole: a file added anywhere under one changes its key.
    var trees: Set<String> = []
    /// Directories whose entry names were read (a test listed them, a link command searched them).
    var listings: Set<String> = []
}

/// The stat cache's on-disk form: one line per file, `digest size mtime ctime inode path`.
enum StatCacheFormat {
    static let header = "stc-statcache \(FormatVersion.statCache)\n"

    static func encode(_ records: [String: StatRecord]) -> [UInt8] {
        var text = header
        for (path, record) in records.sorted(by: { $0.key < $1.key }) {
            text += "\(record.digest.hex) \(record.size) \(record.modified) \(record.changed) \(record.inode) \(path)\n"
        }
        return Array(text.utf8)
    }

    /// Parses a stat cache; anything malformed gives an empty cache (every file is hashed again).
    ///
    /// It parses bytes rather than splitting a String: a fully cached run reads this file first, and for
    /// 2,000 files splitting Substrings cost more than everything else the run did.
    static func decode(_ bytes: [UInt8]) -> [String: StatRecord] {
        let headerBytes = Array(header.utf8)
        guard bytes.starts(with: headerBytes) else { return [:] }
        var records: [String: StatRecord] = [:]
        var position = headerBytes.count
        let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
        return bytes.withUnsafeBufferPointer { buffer -> [String: StatRecord] in
            /// The bytes up to the next `separator`, which is skipped; nil at the end of the buffer.
            func field(until separator: UInt8) -> UnsafeBufferPointer<UInt8>.SubSequence? {
                guard let end = buffer[position...].firstIndex(of: separator) else { return nil }
                defer { position = end + 1 }
                return buffer[position..<end]
            }
            /// A decimal number, unsigned unless `signed`; nil when malformed or out of range.
            func magnitude(_ digits: UnsafeBufferPointer<UInt8>.SubSequence) -> UInt64? {
                guard !digits.isEmpty else { return nil }
                var value: UInt64 = 0
                for byte in digits {
                    guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                    guard !overflow1 && !overflow2 else { return nil }
                    value = sum
                }
                return value
            }
            func signed(_ digits: UnsafeBufferPointer<UInt8>.SubSequence?) -> Int64? {
                guard let digits else { return nil }
                if digits.first == UInt8(ascii: "-") {
                    return magnitude(digits.dropFirst()).flatMap { $0 <= UInt64(Int64.max) ? -Int64($0) : nil }
                }
                return magnitude(digits).flatMap { $0 <= UInt64(Int64.max) ? Int64($0) : nil }
            }
            while position < buffer.count {
                guard let digestField = field(until: space), let digest = OutputID(hex: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: digestField))),
                    let size = signed(field(until: space)), let modified = signed(field(until: space)),
                    let changed = signed(field(until: space)), let inodeField = field(until: space),
                    let inode = magnitude(inodeField), let path = field(until: newline), !path.isEmpty
                else { return [:] }
                records[String(decoding: path, as: UTF8.self)] = StatRecord(
                    size: size, modified: modified, changed: changed, inode: inode, digest: digest
                )
            }
            return records
        }
    }
}
