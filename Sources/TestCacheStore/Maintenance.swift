import Dispatch
import Foundation
import Synchronization

extension ResultStore {
    /// Trims the store if the last trim is old enough: daily, or hourly when a size cap is set.
    ///
    /// The stamp is written before the walk, so of several processes finishing at once only one trims.
    /// Gives the report of the trim it ran, or nil when none was due.
    @discardableResult
    public func trimIfDue() -> TrimReport? {
        let configuration = storeConfiguration
        let now = configuration.clock()
        let interval = configuration.maxSize == nil ? StorePolicy.trimInterval : StorePolicy.cappedTrimInterval
        let stampPath = directory + "/" + Self.trimStampName
        if let last = Self.readStamp(stampPath, fallbackToModification: false),
            now - last < interval, last <= now  // a stamp from the future (a clock set back) is not trusted
        {
            return nil
        }
        guard writeStamp(Self.trimStampName, now) else { return nil }
        return trim()
    }

    /// Removes entries and outputs unused for five days and stray temporary files, then, over the size
    /// cap, the least recently used files until the store fits.
    ///
    /// A reader racing a trim either has its file open already (and reads it whole) or finds it gone
    /// (a miss). An entry whose output was evicted is a miss until it ages out too.
    @discardableResult
    public func trim() -> TrimReport {
        let configuration = storeConfiguration
        let now = configuration.clock()
        let cutoffs = TrimCutoffs(
            unused: now - StorePolicy.unusedLimit,
            temporary: now - StorePolicy.temporaryGrace,
            keepSurvivors: configuration.maxSize != nil
        )
        // Shards are independent directories: walking them on every core shortens a trim that is mostly
        // system calls (a stat per file, an unlink per removal).
        let shards = Mutex<[ShardTrim]>([])
        DispatchQueue.concurrentPerform(iterations: Self.shardNames.count) { index in
            let result = trimShard(directory + "/" + Self.shardNames[index], cutoffs)
            shards.withLock { $0.append(result) }
        }
        var report = TrimReport()
        var survivors: [TrimSurvivor] = []
        for shard in shards.withLock({ $0 }) {
            report.add(shard.report)
            survivors.append(contentsOf: shard.survivors)
        }

        if let maxSize = configuration.maxSize, report.remainingBytes > maxSize {
            evict(from: &survivors, downTo: maxSize, &report)
        }
        return report
    }

    /// Removes the least recently used survivors until the store fits in `maxSize`.
    ///
    /// The victims are chosen first, then deleted directory by directory on every core: deleting in
    /// use order instead jumps between directories at random and was ten times slower here.
    private func evict(from survivors: inout [TrimSurvivor], downTo maxSize: Int64, _ report: inout TrimReport) {
        // Oldest use first; on a tie entries go before outputs, so an output outlives the entries
        // naming it rather than leaving them dangling.
        survivors.sort { ($0.modified, $0.isEntry ? 0 : 1) < ($1.modified, $1.isEntry ? 0 : 1) }
        var excess = report.remainingBytes - maxSize
        var victimsByShard: [Substring: [TrimSurvivor]] = [:]
        for file in survivors where excess > 0 {
            victimsByShard[file.shard, default: []].append(file)
            excess -= file.size
        }
        let shards = Array(victimsByShard.values)
        let removed = Mutex<[TrimReport]>([])
        DispatchQueue.concurrentPerform(iterations: shards.count) { index in
            var shardReport = TrimReport()
            for file in shards[index] where unlink(file.path) == 0 {
                file.isEntry ? (shardReport.removedEntries += 1) : (shardReport.removedOutputs += 1)
                shardReport.freedBytes += file.size
            }
            removed.withLock { $0.append(shardReport) }
        }
        for shardReport in removed.withLock({ $0 }) {
            report.add(shardReport)
            report.remainingBytes -= shardReport.freedBytes
        }
    }

    /// Trims one fan-out directory by age; lists what survives when a size cap may need it.
    private func trimShard(_ shardPath: String, _ cutoffs: TrimCutoffs) -> ShardTrim {
        var result = ShardTrim()
        FileSystem.forEachFile(inDirectory: shardPath) { name, status in
            guard let kind = StoreFileKind(name) else { return false }
            let cutoff = kind == .temporary ? cutoffs.temporary : cutoffs.unused
            if status.modified < cutoff {
                switch kind {
                case .entry: result.report.removedEntries += 1
                case .output: result.report.removedOutputs += 1
                case .temporary: result.report.removedTemporaries += 1
                }
                result.report.freedBytes += status.size
                return true
            }
            result.report.remainingBytes += status.size
            if cutoffs.keepSurvivors && kind != .temporary {
                result.survivors.append(TrimSurvivor(
                    modified: status.modified, size: status.size, path: shardPath + "/" + name, isEntry: kind == .entry
                ))
            }
            return false
        }
        return result
    }

    /// Counts what the store holds, by walking it.
    public func statistics() -> StoreStatistics {
        var statistics = StoreStatistics()
        for shard in Self.shardNames {
            FileSystem.forEachFile(inDirectory: directory + "/" + shard) { name, status in
                guard let kind = StoreFileKind(name) else { return false }
                statistics.bytes += status.size
                switch kind {
                case .entry:
                    statistics.entries += 1
                    statistics.oldestUse = min(statistics.oldestUse ?? .max, status.modified)
                    statistics.newestUse = max(statistics.newestUse ?? .min, status.modified)
                case .output: statistics.outputs += 1
                case .temporary: break
                }
                return false
            }
        }
        return statistics
    }

    /// Expires every result stored until now without deleting anything (`clean`).
    ///
    /// Stores opened from now on treat those entries as misses; new results are unaffected.
    public func expireAll() throws(TestCacheError) {
        guard writeStamp(Self.expireMarkName, storeConfiguration.clock()) else {
            throw TestCacheError(.storeWrite, "cannot write the expiry mark in \(directory)")
        }
    }

    /// Deletes the whole store directory (`clean --all`). A missing directory is not an error.
    public func removeAll() throws(TestCacheError) {
        guard FileSystem.status(atPath: directory) != nil else { return }
        do {
            try FileManager.default.removeItem(atPath: directory)
        } catch {
            throw TestCacheError(.storeWrite, "cannot delete \(directory): \(error.localizedDescription)")
        }
    }
}

/// The times before which files are removed, and whether survivors must be listed for the size cap.
private struct TrimCutoffs {
    var unused: Int64
    var temporary: Int64
    var keepSurvivors: Bool
}

/// A file that survived the age pass, a candidate for eviction under the size cap.
private struct TrimSurvivor {
    var modified: Int64
    var size: Int64
    var path: String
    var isEntry: Bool

    /// The fan-out directory holding the file.
    var shard: Substring { path[..<path.lastIndex(of: "/")!] }
}

/// One fan-out directory's share of a trim.
private struct ShardTrim {
    var report = TrimReport()
    var survivors: [TrimSurvivor] = []
}

extension TrimReport {
    fileprivate mutating func add(_ other: TrimReport) {
        removedEntries += other.removedEntries
        removedOutputs += other.removedOutputs
        removedTemporaries += other.removedTemporaries
        freedBytes += other.freedBytes
        remainingBytes += other.remainingBytes
    }
}

/// What a file in a fan-out directory is, by its name; other names are left alone.
enum StoreFileKind {
    case entry, output, temporary

    init?(_ name: String) {
        if name.hasPrefix(FileSystem.temporaryPrefix) {
            self = .temporary
        } else if name.hasSuffix("-a") {
            self = .entry
        } else if name.hasSuffix("-d") {
            self = .output
        } else {
            return nil
        }
    }
}
