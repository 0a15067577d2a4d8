public import TestCacheStore

/// A cache shared beyond this machine, asked after the local store and given every new result.
///
/// Core owns the shape and knows nothing of how it is reached: the command layer hands in the HTTP
/// implementation (Bazel's remote-cache protocol), the engine's tests a fake. Nothing here may fail a
/// run: a fault is a miss or a skipped upload, and the implementation says so itself.
public protocol SharedCache: Sendable {
    /// Brings what the shared cache has under these keys into `store`; keys already there are not asked for.
    func fetch(_ keys: [ActionID], into store: ResultStore) async
    /// Uploads one entry in the background.
    func upload(_ key: ActionID, _ bytes: [UInt8])
    /// Waits, within the implementation's own bound, for the uploads still under way.
    func flush() async
    /// What it did in this run, for `-v` and `SWIFT_TESTCACHE_DEBUG=remote`: hits, misses, uploads, bytes.
    var summary: String { get }
}
