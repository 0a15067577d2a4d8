import Foundation
import Synchronization
import TestCacheStore

/// Reports the paths that change under directory trees: through inotify on Linux, else (or when the
/// system's inotify watches run out) by scanning the trees at an interval.
///
/// Directories for which `skips` answers true are neither watched nor scanned, nor anything under them.
/// Changes come as batches of absolute paths through ``changes``, in the order the system reported them.
public final class FileWatcher: Sendable {
    /// The batches of changed paths, until ``stop()``.
    package let changes: AsyncStream<[String]>
    /// How the trees are watched: `inotify`, or `polling` and why.
    package let method: String
    private let continuation: AsyncStream<[String]>.Continuation
    private let stopped = StopFlag()
    /// Closed by ``stop()`` to wake the inotify thread out of `poll`.
    private let wake: (read: Int32, write: Int32)

    /// How often the fallback scans the trees: fast enough that a save shows within a debounce or two,
    /// slow enough that scanning a few thousand files costs the machine nothing noticeable.
    package static let pollInterval: Duration = .milliseconds(500)
    /// The interval as help says it.
    public static var pollIntervalDescription: String { "\(pollInterval.components.attoseconds / 1_000_000_000_000_000) ms" }

    /// Starts watching `roots` (absolute directories) and everything under them but what `skips` names.
    ///
    /// - Parameters:
    ///   - watchLimit: at most this many inotify watches before falling back to scanning, as when the
    ///     system's `fs.inotify.max_user_watches` runs out (tests make it small); nil for the system's.
    ///   - warn: said once when falling back to scanning.
    package init(
        roots: [String], skips: @escaping @Sendable (String) -> Bool, watchLimit: Int? = nil,
        warn: @escaping @Sendable (String) -> Void
    ) {
        let (stream, continuation) = AsyncStream<[String]>.makeStream(bufferingPolicy: .unbounded)
        changes = stream
        self.continuation = continuation
        var pipeEnds: [Int32] = [-1, -1]
        _ = pipe(&pipeEnds)
        wake = (pipeEnds[0], pipeEnds[1])
        #if os(Linux)
        switch InotifyWatch.open(roots: roots, skips: skips, limit: watchLimit) {
        case .success(let watch):
            method = "inotify"
            let thread = Thread { [stopped, wake, continuation] in
                // Watches that run out later (a tree grew) hand over to scanning, from a fresh scan.
                if let failure = watch.run(wake: wake.read, stopped: stopped, yield: { continuation.yield($0) }) {
                    warn(Self.fallbackWarning(failure))
                    Self.scan(roots: roots, skips: skips, stopped: stopped, yield: { continuation.yield($0) })
                }
                continuation.finish()
            }
            thread.start()
            return
        case .failure(let failure):
            warn(Self.fallbackWarning(failure))
            method = "polling (\(failure))"
        }
        #else
        method = "polling"
        #endif
        let thread = Thread { [stopped, continuation] in
            Self.scan(roots: roots, skips: skips, stopped: stopped, yield: { continuation.yield($0) })
            continuation.finish()
        }
        thread.start()
    }

    private static func fallbackWarning(_ failure: WatchFailure) -> String {
        "cannot watch with inotify (\(failure)): scanning for changes every \(pollInterval) instead"
    }

    /// The fallback loop: a scan every ``pollInterval`` until stopped, each difference yielded.
    private static func scan(roots: [String], skips: @escaping @Sendable (String) -> Bool, stopped: StopFlag, yield: ([String]) -> Void) {
        let scanner = TreeScanner(roots: roots, skips: skips)
        var last = scanner.snapshot()
        let pause = Double(pollInterval.components.seconds) + Double(pollInterval.components.attoseconds) / 1e18
        while !stopped.isSet {
            Thread.sleep(forTimeInterval: pause)
            if stopped.isSet { break }
            let now = scanner.snapshot()
            let changed = TreeScanner.difference(last, now)
            last = now
            if !changed.isEmpty { yield(changed) }
        }
    }

    /// Stops watching and ends ``changes``.
    package func stop() {
        guard stopped.set() else { return }
        close(wake.write)
    }

    deinit {
        stop()
        close(wake.read)
    }
}

/// A flag set once, read from any thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Sets it; false when it was set already.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}

/// The fallback: every file's size, times and inode under the roots, compared scan to scan.
struct TreeScanner: Sendable {
    let roots: [String]
    let skips: @Sendable (String) -> Bool

    struct Stamp: Equatable {
        var size: Int64
        var modified: Int64
        var changed: Int64
        var inode: UInt64
    }

    func snapshot() -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        func walk(_ directory: String) {
            FileSystem.forEachFile(inDirectory: directory) { name, status in
                let path = directory + "/" + name
                if status.isDirectory {
                    if !skips(path) { walk(path) }
                } else {
                    stamps[path] = Stamp(size: status.size, modified: status.modified, changed: status.changed, inode: status.inode)
                }
                return false
            }
        }
        for root in roots { walk(root) }
        return stamps
    }

    /// The paths added, removed or changed from one scan to the next, sorted.
    static func difference(_ before: [String: Stamp], _ after: [String: Stamp]) -> [String] {
        var changed = after.compactMap { path, stamp in before[path] == stamp ? nil : path }
        changed += before.keys.filter { after[$0] == nil }
        return changed.sorted()
    }
}

#if os(Linux)
import Glibc

/// One inotify instance watching every directory of some trees, adding new directories as they appear.
final class InotifyWatch: @unchecked Sendable {
    private let descriptor: Int32
    private let skips: @Sendable (String) -> Bool
    private let limit: Int?
    /// The watched directory of each watch descriptor. Only the watching thread touches it after `open`.
    private var directories: [Int32: String] = [:]

    /// What is reported: a file written and closed, created, deleted or moved in or out, and a
    /// directory deleted or moved. A write that keeps the file open (IN_MODIFY) is reported too, so
    /// that a tool writing in place is seen; the debounce folds the bursts it makes.
    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
        | UInt32(IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    private init(descriptor: Int32, skips: @escaping @Sendable (String) -> Bool, limit: Int?) {
        self.descriptor = descriptor
        self.skips = skips
        self.limit = limit
    }

    deinit { close(descriptor) }

    /// A watch on every directory under `roots`, or why there can be none.
    static func open(roots: [String], skips: @escaping @Sendable (String) -> Bool, limit: Int?) -> Result<InotifyWatch, WatchFailure> {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return .failure(WatchFailure(String(cString: strerror(errno)))) }
        let watch = InotifyWatch(descriptor: descriptor, skips: skips, limit: limit)
        for root in roots {
            if let failure = watch.add(tree: root, reporting: nil) { return .failure(failure) }
        }
        return .success(watch)
    }

    /// Watches `directory` and every directory under it; the files found go to `reporting` (a
    /// directory that appeared may have been filled before its watch was added).
    private func add(tree directory: String, reporting: ((String) -> Void)?) -> WatchFailure? {
        if let limit, directories.count >= limit {
            return WatchFailure("more than \(limit) directories to watch")
        }
        let wd = inotify_add_watch(descriptor, directory, Self.mask)
        if wd < 0 {
            let code = errno
            if code == ENOSPC {
                let maximum = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_user_watches", encoding: .utf8))
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
                return WatchFailure("the system's inotify watches ran out: fs.inotify.max_user_watches is \(maximum)")
            }
            // A directory removed or unreadable since it was listed is simply not watched.
            return nil
        }
        directories[wd] = directory
        var failure: WatchFailure?
        FileSystem.forEachFile(inDirectory: directory) { name, status in
            guard failure == nil else { return false }
            let path = directory + "/" + name
            if status.isDirectory && !status.isSymbolicLink {
                if !skips(path) { failure = add(tree: path, reporting: reporting) }
            } else {
                reporting?(path)
            }
            return false
        }
        return failure
    }

    /// Reads events until `stopped` or `wake` is closed, giving each read's changed paths to `yield`;
    /// gives why it stopped early when a new directory could not be watched (the watches ran out).
    func run(wake: Int32, stopped: StopFlag, yield: ([String]) -> Void) -> WatchFailure? {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var polls = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while !stopped.isSet {
            polls[0].revents = 0
            polls[1].revents = 0
            guard poll(&polls, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return nil
            }
            if polls[1].revents != 0 { return nil }
            let count = read(descriptor, buffer, capacity)
            guard count > 0 else {
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                return nil
            }
            var changed: [String] = []
            var failure: WatchFailure?
            var offset = 0
            while offset + 16 <= count {
                let wd = buffer.load(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = UnsafeRawBufferPointer(start: buffer + offset + 16, count: length)
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // Events were lost: say every watched directory changed, and let the keys tell.
                    changed += directories.values
                    continue
                }
                guard let directory = directories[wd] else { continue }
                if mask & UInt32(IN_IGNORED) != 0 {
                    directories[wd] = nil
                    continue
                }
                let path = name.isEmpty ? directory : directory + "/" + name
                changed.append(path)
                if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 && !skips(path) && failure == nil {
                    failure = add(tree: path, reporting: { changed.append($0) })
                }
            }
            if !changed.isEmpty { yield(changed) }
            if let failure { return failure }
        }
        return nil
    }
}
#endif

/// Why a tree cannot be watched through the system's notifications.
struct WatchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
