#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What callers need to know of a file: its type, size, identity and times in nanoseconds since 1970.
package struct FileStatus: Sendable, Hashable {
    package var size: Int64
    /// Last modification of the contents.
    package var modified: Int64
    /// Last change of the contents or the metadata; unlike `modified`, no program can set it back.
    package var changed: Int64
    package var inode: UInt64
    package var isRegular: Bool
    package var isDirectory: Bool
    package var isSymbolicLink: Bool

    init(_ status: stat) {
        size = Int64(status.st_size)
        #if canImport(Darwin)
        modified = Self.nanoseconds(Int64(status.st_mtimespec.tv_sec), Int64(status.st_mtimespec.tv_nsec))
        changed = Self.nanoseconds(Int64(status.st_ctimespec.tv_sec), Int64(status.st_ctimespec.tv_nsec))
        #else
        modified = Self.nanoseconds(Int64(status.st_mtim.tv_sec), Int64(status.st_mtim.tv_nsec))
        changed = Self.nanoseconds(Int64(status.st_ctim.tv_sec), Int64(status.st_ctim.tv_nsec))
        #endif
        inode = UInt64(status.st_ino)
        isRegular = (status.st_mode & S_IFMT) == S_IFREG
        isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
        isSymbolicLink = (status.st_mode & S_IFMT) == S_IFLNK
    }

    /// A time in nanoseconds since the epoch, held to what an Int64 can count (1677 to 2262): a file dated
    /// outside that (`touch -d 2300-01-01`, a zero Windows timestamp from an archive) is clamped, not a trap.
    package static func nanoseconds(_ seconds: Int64, _ nanoseconds: Int64) -> Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowed) = scaled.addingReportingOverflow(nanoseconds)
        return overflowed ? (nanoseconds < 0 ? .min : .max) : sum
    }
}

/// The text of an errno value, for messages.
func errorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// Thin wrappers over the system calls the store makes, each returning errno-style results.
///
/// The store uses raw descriptors rather than Foundation so that a cache hit costs a handful of
/// system calls and no intermediate copies. The engine uses the same calls to hash package files.
package enum FileSystem {
    /// Permission bits for new files: everyone may read and write, narrowed by the user's umask, so a
    /// team can share one store on a machine when its umask allows it (Go's cache does the same).
    static let fileMode: mode_t = 0o666
    /// Permission bits for new directories, likewise narrowed by the umask.
    static let directoryMode: mode_t = 0o777

    /// Opens `path` for reading; a negative result leaves the reason in `errno`.
    package static func openForReading(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_CLOEXEC)
    }

    /// The status of an open file, or nil.
    package static func status(of descriptor: Int32) -> FileStatus? {
        var buffer = stat()
        return fstat(descriptor, &buffer) == 0 ? FileStatus(buffer) : nil
    }

    /// The status of `path` without following a final symbolic link, or nil.
    package static func status(atPath path: String) -> FileStatus? {
        var buffer = stat()
        return lstat(path, &buffer) == 0 ? FileStatus(buffer) : nil
    }

    /// The status of what `path` names, following symbolic links, or nil.
    package static func status(following path: String) -> FileStatus? {
        var buffer = stat()
        return stat(path, &buffer) == 0 ? FileStatus(buffer) : nil
    }

    /// The whole contents of a regular file, or nil.
    package static func contents(_ path: String) -> [UInt8]? {
        contentsAndStatus(path)?.bytes
    }

    /// The whole contents of a regular file and its status when opened, or nil.
    package static func contentsAndStatus(_ path: String) -> (bytes: [UInt8], status: FileStatus)? {
        let descriptor = openForReading(path)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let status = status(of: descriptor), status.isRegular, let bytes = read(descriptor, count: Int(status.size)) else { return nil }
        return (bytes, status)
    }

    /// Reads exactly `count` bytes from the start of an open file; nil when the file is shorter or a read fails.
    package static func read(_ descriptor: Int32, count: Int) -> [UInt8]? {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let got = pread(descriptor, buffer.baseAddress! + offset, count - offset, off_t(offset))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { failed = true; break }
                offset += got
            }
            initialized = failed ? 0 : count
        }
        return failed ? nil : bytes
    }

    /// Writes all of `bytes`; returns 0 or an errno value.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let wrote = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if wrote < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if wrote == 0 { return EIO }
            offset += wrote
        }
        return 0
    }

    /// Sets both access and modification time of an open file; failures are ignored by callers on purpose.
    @discardableResult
    static func setTimes(_ descriptor: Int32, nanoseconds: Int64) -> Bool {
        var times = [timespec](repeating: timespec(nanoseconds), count: 2)
        return futimens(descriptor, &times) == 0
    }

    /// Creates `path` and any missing parents; returns 0 or an errno value.
    package static func makeDirectories(_ path: String) -> Int32 {
        if mkdir(path, directoryMode) == 0 || errno == EEXIST { return 0 }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return errno }
        let parentResult = makeDirectories(String(path[..<slash]))
        guard parentResult == 0 else { return parentResult }
        return mkdir(path, directoryMode) == 0 || errno == EEXIST ? 0 : errno
    }

    /// Replaces `path` with `bytes` so that no reader ever sees a partial file; returns 0 or an errno value.
    ///
    /// The bytes go to a new temporary file in the same directory (`O_EXCL`, a name no other writer can
    /// pick), which gets its times and is closed before one `rename` puts it in place. `rename` within a
    /// directory is atomic: a reader opens either the previous file or the complete new one, and a reader
    /// that already has the previous file open keeps reading it whole. A writer killed at any instant
    /// leaves at most a stray temporary file, never a partial `path`; trimming removes such strays.
    /// There is no `fsync`: a killed process loses nothing that reached the kernel, and the rarer power
    /// loss can leave a short or empty file, which every reader verifies and treats as a miss.
    static func replaceAtomically(_ path: String, with bytes: UnsafeRawBufferPointer, modified: Int64) -> Int32 {
        let temporary = temporaryName(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { return errno }
        var result = writeAll(descriptor, bytes)
        if result == 0 { setTimes(descriptor, nanoseconds: modified) }
        // close can report a deferred write error (NFS, quota): a failed close means a failed write.
        if close(descriptor) != 0 && result == 0 { result = errno }
        if result == 0 && rename(temporary, path) != 0 { result = errno }
        if result != 0 { unlink(temporary) }
        return result
    }

    /// Prefix of temporary files; trimming removes the ones left by writers that were killed.
    static let temporaryPrefix = ".tmp-"

    /// A temporary name beside `path`, unique to this process and call.
    private static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "\(path[..<slash])\(temporaryPrefix)\(path[slash...]).\(getpid()).\(token)"
    }

    /// Each name in a directory other than `.` and `..`, with its status; an unreadable directory gives none.
    ///
    /// `body` may return true to delete the file it was given.
    package static func forEachFile(inDirectory path: String, _ body: (String, FileStatus) -> Bool) {
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var buffer = stat()
            guard fstatat(descriptor, name, &buffer, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if body(name, FileStatus(buffer)) {
                unlinkat(descriptor, name, 0)
            }
        }
    }

    /// Removes `path` and everything under it (symbolic links themselves, never what they point at).
    package static func removeTree(_ path: String) {
        forEachFile(inDirectory: path) { name, status in
            if status.isDirectory && !status.isSymbolicLink { removeTree(path + "/" + name) }
            return !status.isDirectory
        }
        rmdir(path)
    }
}

extension timespec {
    init(_ nanoseconds: Int64) {
        self.init(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}

/// The C library's `write`, named apart from ``FileSystem/writeAll(_:_:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
