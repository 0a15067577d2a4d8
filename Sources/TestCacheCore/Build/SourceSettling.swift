import TestCacheStore

/// Keeps SwiftPM from building a Swift source in the second it was last modified, so that no later edit
/// can go unseen by the next build.
///
/// swift-driver, under both build systems, takes a source as unchanged when its modification time is
/// the one it recorded at the last build *to the second* (FACTS.md; measured with 6.3.1: a second edit
/// 0.6 s after the first, in the same second, kept the first edit's object; one a second later was
/// compiled). So if a build reads a file saved in the current second and the file is saved again before
/// that second ends, the next build keeps the old object: a stale build, which a content ID made from
/// its objects would take for the old sources and replay a result for. It happens whenever a build is
/// faster than the edits around it, as in an editor's save-and-run or an edit, a run and a revert.
///
/// The guard: before a build, when a source's modification time is in the current second (or just
/// ahead of it), wait for the next second to begin. Whatever the build then reads carries an earlier
/// second than any later edit can get, and the driver sees every later edit. At most a second is lost,
/// and only by a run started within a second of a save.
///
/// Not covered: a time set back by hand (`touch -d`, `tar`, `rsync -t`) to the second of the version
/// last built, and a build run outside the tool in the second of a save: SwiftPM itself builds stale
/// there, and `swift test` runs the stale code too.
enum SourceSettling {
    /// The wait beyond the second's start, for the kernel's file times: they come from a clock that can
    /// lag the wall clock by one scheduler tick (10 ms at the slowest, 100 Hz), so a file written just
    /// after the wait must still not carry the second before it.
    static let margin: Int64 = 20_000_000
    /// How far ahead of the clock a modification time is still waited for: a file system's clock a tick
    /// ahead of ours. A time further ahead (a file from an archive, a skewed clock) is no second we can
    /// wait out, and no edit in the same second as it is made by saving now.
    static let aheadLimit: Int64 = 1_100_000_000

    /// How long to wait, in nanoseconds, before a build at `now` of sources last modified at `newest`
    /// (both nanoseconds since 1970); nil when the build can start at once.
    static func wait(newest: Int64, now: Int64) -> Int64? {
        let second: Int64 = 1_000_000_000
        guard newest <= now + aheadLimit else { return nil }
        let settled = (newest / second + 1) * second + margin
        return settled > now ? settled - now : nil
    }

    /// The latest modification time of the files a build of the package compiles: the root package's
    /// manifests and the files of its targets' directories, and every file of the dependency packages
    /// (`directories`, relative to `root` or absolute). Build output and version control are skipped.
    static func newestModification(root: String, targetDirectories: [String], dependencies: [String]) -> Int64 {
        var newest: Int64 = 0
        FileSystem.forEachFile(inDirectory: root) { name, status in
            if status.isRegular, name.hasPrefix("Package"), name.hasSuffix(".swift") { newest = max(newest, status.modified) }
            return false
        }
        var visited: Set<UInt64> = []
        func walk(_ directory: String) {
            guard let status = FileSystem.status(following: directory), status.isDirectory, visited.insert(status.inode).inserted else { return }
            var children: [String] = []
            FileSystem.forEachFile(inDirectory: directory) { name, status in
                if status.isDirectory || status.isSymbolicLink {
                    if !InputHasher.skippedDirectories.contains(name) { children.append(directory + "/" + name) }
                } else if status.isRegular {
                    newest = max(newest, status.modified)
                }
                return false
            }
            for child in children {
                if let target = FileSystem.status(following: child), target.isRegular {
                    newest = max(newest, target.modified)
                } else {
                    walk(child)
                }
            }
        }
        for directory in targetDirectories + dependencies {
            walk(directory.hasPrefix("/") ? directory : directory == "." ? root : root + "/" + directory)
        }
        return newest
    }
}
