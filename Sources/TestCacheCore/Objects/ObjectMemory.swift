import Synchronization
import TestCacheStore

/// What object files read as, kept across the runs of one process (`watch`): a run reads again only
/// the objects its build changed, not the whole closure of every target it keys.
///
/// An object is known by its path and status (size, mtime, ctime and inode, as the stat cache knows a
/// source: ``StatRecord``); any other status reads it again. An object changed within
/// ``InputHasher/racyWindow`` of the run that read it is not kept, for the stat cache's reason: file
/// times are only as fine as the kernel's clock tick, so a second write of the same size in the same
/// tick would keep every field, and the object would be served as it was.
public final class ObjectMemory: Sendable {
    /// What an object was read as, with the status it had when read.
    private struct Entry<Value: Sendable>: Sendable {
        var status: FileStatus
        var value: Value
    }

    private let graphs = Mutex<[String: Entry<ObjectGraph.Member>]>([:])
    private let wholes = Mutex<[String: Entry<ObjectReading>]>([:])

    public init() {}

    /// The object at `path` read as a graph member (`read` makes it from the bytes, nil when the file
    /// cannot be read), from memory when the file is as it was. `now`: when the run began reading.
    func member(at path: String, now: Int64, read: ([UInt8]?) -> ObjectGraph.Member) -> ObjectGraph.Member {
        Self.remembered(path, in: graphs, now: now, read: read)
    }

    /// The object at `path` hashed whole, likewise.
    func reading(at path: String, now: Int64, read: ([UInt8]?) -> ObjectReading) -> ObjectReading {
        Self.remembered(path, in: wholes, now: now, read: read)
    }

    private static func remembered<Value: Sendable>(
        _ path: String, in table: borrowing Mutex<[String: Entry<Value>]>, now: Int64, read: ([UInt8]?) -> Value
    ) -> Value {
        if let status = FileSystem.status(following: path), let known = table.withLock({ $0[path] }), known.status == status {
            return known.value
        }
        // The status is taken from the open file, before its bytes: a write after it changes the
        // status the next run sees.
        guard let file = FileSystem.contentsAndStatus(path) else { return read(nil) }
        let value = read(file.bytes)
        if max(file.status.modified, file.status.changed) < now - InputHasher.racyWindow {
            table.withLock { $0[path] = Entry(status: file.status, value: value) }
        } else {
            table.withLock { _ = $0.removeValue(forKey: path) }
        }
        return value
    }
}

/// An object hashed whole (one of another package's), with which lookup of a type by a name made at
/// run time it names (``ObjectGraph/typeLookupByName(inObject:)``).
struct ObjectReading: Sendable {
    var digest: String
    var typeLookup: String?
}
