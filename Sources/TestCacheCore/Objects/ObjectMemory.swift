import Synchronization
public import TestCacheStore

/// What object files read as, kept across runs: a run reads again only the objects its build changed,
/// not the whole closure of every target it keys.
///
/// Two layers. Within one process (`watch`), an object is known by its path and status (size, mtime,
/// ctime and inode, as the stat cache knows a source: ``StatRecord``); any other status reads it again.
/// An object changed within ``InputHasher/racyWindow`` of the run that read it is not kept there, for
/// the stat cache's reason: file times are only as fine as the kernel's clock tick, so a second write of
/// the same size in the same tick would keep every field, and the object would be served as it was.
///
/// Across processes (`test` after an edit), a reading is kept in the store under the SHA-256 of the
/// object's bytes and the build ID of the tool that read it (``ObjectArchive``): the same bytes read by
/// the same code give the same reading, so nothing but a byte or a rule that changed makes it differ. A
/// tool without a build ID keeps nothing there, since nothing would tell its rules from another build's.
/// A kept reading that does not read back is read again, and one that cannot be stored is only lost.
public final class ObjectMemory: Sendable {
    /// What an object was read as, with the status it had when read.
    private struct Entry<Value: Sendable>: Sendable {
        var status: FileStatus
        var value: Value
    }

    private let graphs = Mutex<[String: Entry<ObjectGraph.Member>]>([:])
    private let wholes = Mutex<[String: Entry<ObjectReading>]>([:])

    /// The store readings are kept in across processes, and the build ID of the tool reading them.
    private let shelf: (store: ResultStore, reader: String, salt: KeySalt)?

    /// A memory for one process only.
    public init() {
        shelf = nil
    }

    /// A memory that also keeps readings in `store`, for the tool whose executable is at `executable`
    /// (`/proc/self/exe`): nil for `store` or a tool without a build ID keeps them in this process only.
    public init(store: ResultStore?, executable: String, salt: KeySalt) {
        shelf = store.flatMap { store in ToolchainRuntime.buildID(ofFileAt: executable).map { (store, $0, salt) } }
    }

    /// The object at `path` read as a graph member (`read` makes it from the bytes, nil when the file
    /// cannot be read), from memory when the file is as it was. `now`: when the run began reading.
    func member(at path: String, now: Int64, read: ([UInt8]?) -> ObjectGraph.Member) -> ObjectGraph.Member {
        remembered(path, in: graphs, kind: Self.graphKind, now: now, read: read)
    }

    /// The object at `path` hashed whole, likewise.
    func reading(at path: String, now: Int64, read: ([UInt8]?) -> ObjectReading) -> ObjectReading {
        remembered(path, in: wholes, kind: Self.wholeKind, now: now, read: read)
    }

    private func remembered<Value: ObjectArchivable>(
        _ path: String, in table: borrowing Mutex<[String: Entry<Value>]>, kind: String, now: Int64, read: ([UInt8]?) -> Value
    ) -> Value {
        if let status = FileSystem.status(following: path), let known = table.withLock({ $0[path] }), known.status == status {
            return known.value
        }
        // The status is taken from the open file, before its bytes: a write after it changes the
        // status the next run sees.
        guard let file = FileSystem.contentsAndStatus(path) else { return read(nil) }
        let value = kept(kind, file.bytes, read: read)
        if max(file.status.modified, file.status.changed) < now - InputHasher.racyWindow {
            table.withLock { $0[path] = Entry(status: file.status, value: value) }
        } else {
            table.withLock { _ = $0.removeValue(forKey: path) }
        }
        return value
    }

    /// The reading of `bytes` kept in the store, or `read`'s, kept there for the next process.
    private func kept<Value: ObjectArchivable>(_ kind: String, _ bytes: [UInt8], read: ([UInt8]?) -> Value) -> Value {
        guard let shelf, let id = key(kind, bytes) else { return read(bytes) }
        if case .hit(let stored) = shelf.store.output(for: id), let value = Value(archived: stored.bytes) {
            return value
        }
        let value = read(bytes)
        shelf.store.put(id, value.archived)
        return value
    }

    /// Where the reading of `bytes` as `kind` is kept: the object's content and the reader's build.
    func key(_ kind: String, _ bytes: [UInt8]) -> ActionID? {
        guard let shelf else { return nil }
        var key = KeyHasher(name: kind, salt: shelf.salt)
        key.update(field: "reader", shelf.reader)
        key.update(field: "object", OutputID(of: bytes).hex)
        return key.finalize()
    }

    /// The kinds of reading, as their keys name them.
    static let graphKind = "object-graph", wholeKind = "object-reading"
}

/// An object hashed whole (one of another package's), with which lookup of a type by a name made at
/// run time it names (``ObjectGraph/typeLookupByName(inObject:)``).
struct ObjectReading: Sendable {
    var digest: String
    var typeLookup: String?
}
