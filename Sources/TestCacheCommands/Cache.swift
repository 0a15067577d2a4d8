import ArgumentParser
import Foundation
import TestCacheStore

extension SwiftTestCache {
    /// `swift-testcache cache`: where the store is, what it holds and how large it is.
    struct Cache: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where the result store is, its size and its entries.",
            discussion: """
                The store is $\(EnvironmentVariable.directory) (an absolute path) when set, else \
                $XDG_CACHE_HOME/swift-testcache, else ~/.cache/swift-testcache. \
                \(EnvironmentVariable.maxSize) (for example 500M or 2G) caps its size: the least recently used \
                results are evicted first. Results unused for 5 days are removed automatically.
                """
        )

        func run() throws {
            let context = CommandContext.current
            let store = try context.openStore()
            let statistics = store.statistics()
            // openStore read the same variable and would have failed on a bad value already.
            let cap = (try? StoreLocation.maxSize(environment: context.environment)).flatMap { $0 }
            var lines = [
                ("directory", store.directory),
                ("size", formatBytes(statistics.bytes) + (cap.map { " (cap \(formatBytes($0)))" } ?? " (no cap)")),
                ("entries", "\(statistics.entries) (\(statistics.outputs) distinct outputs)"),
            ]
            if let oldest = statistics.oldestUse, let newest = statistics.newestUse {
                lines.append(("oldest use", formatTime(oldest)))
                lines.append(("newest use", formatTime(newest)))
            }
            for (label, value) in lines {
                print(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
            }
        }
    }
}

/// Bytes in binary units with one decimal: `0 B`, `12.3 KiB`, `1.5 GiB`.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// A store time (ns since 1970) as an ISO 8601 UTC timestamp to the second.
func formatTime(_ nanoseconds: Int64) -> String {
    let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
    return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
        .timeSeparator(.colon).timeZone(separator: .omitted)) 
}
