import Foundation

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
        let unusedCutoff = now - StorePolicy.unusedLimit
        let temporaryCutoff = now - StorePolicy.temporaryGrace
        var report = TrimReport()
        /// Survivors, kept only when a size cap may need them.
        var kept: [(modified: Int64, size: Int64, path: String, isEntry: Bool)] = []

        for shard in Self.shardNames {
            let shardPath = directory + "/" + shard
            FileSystem.forEachFile(inDirectory: shardPath) { name, status in
                guard let kind = StoreFileKind(name) else { return false }
                if kind == .temporary {
                    guard status.modified < temporaryCutoff else {
                        report.remainingBytes += status.size
                        return false
                    }
                    report.removedTemporaries += 1
                    report.freedBytes += status.size
                    return true
                }
                if status.modified < unusedCutoff {
                    kind == .entry ? (report.removedEntries += 1) : (report.removedOutputs += 1)
                    report.freedBytes += status.size
                    return true
                }
                report.remainingBytes += status.size
                if configuration.maxSize != nil {
                    kept.append((status.modified, status.size, shardPath + "/" + name, kind == .entry))
                }
                return false
            }
        }

        if let maxSize = configuration.maxSize, report.remainingBytes > maxSize {
            // Oldest use first; on a tie entries go before outputs, so an output outlives the entries
            // naming it rather than leaving them dangling.
            kept.sort { ($0.modified, $0.isEntry ? 0 : 1) < ($1.modified, $1.isEntry ? 0 : 1) }
            for file in kept where report.remainingBytes > maxSize {
                guard unlink(file.path) == 0 else { continue }
                file.isEntry ? (report.removedEntries += 1) : (report.removedOutputs += 1)
                report.freedBytes += file.size
                report.remainingBytes -= file.size
            }
        }
        return report
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
    public func expireAll() throws(StoreError) {
        guard writeStamp(Self.expireMarkName, storeConfiguration.clock()) else {
            throw StoreError("cannot write the expiry mark in \(directory)")
        }
    }

    /// Deletes the whole store directory (`clean --all`). A missing directory is not an error.
    public func removeAll() throws(StoreError) {
        guard FileSystem.status(atPath: directory) != nil else { return }
        do {
            try FileManager.default.removeItem(atPath: directory)
        } catch {
            throw StoreError("cannot delete \(directory): \(error.localizedDescription)")
        }
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
