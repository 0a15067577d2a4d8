// Benchmark of TestCacheStore: put and get of 1 KB and 1 MB outputs, a verified 10 KB hit, and lookup,
// statistics and trim in a store of 100,000 entries. Prints Markdown rows for BENCHMARKS.md.
//
//   swift run -c release store-benchmark [--entries N] [--directory DIR]
//
// Each row is the median of several batches, with the fastest and slowest batch as its spread.

import Foundation
import TestCacheStore

struct Options {
    /// Entries in the large store: the issue's target size for lookups and trimming.
    var entries = 100_000
    var directory = NSTemporaryDirectory() + "/store-benchmark-\(getpid())"

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--entries": entries = iterator.next().flatMap(Int.init) ?? entries
            case "--directory": directory = iterator.next() ?? directory
            default:
                print("usage: store-benchmark [--entries N] [--directory DIR]")
                exit(2)
            }
        }
    }
}

let options = Options(CommandLine.arguments)
let salt = KeySalt(toolVersion: "benchmark")

func key(_ index: Int, _ space: String) -> ActionID {
    var hasher = KeyHasher(name: "benchmark", salt: salt)
    hasher.update(space)
    hasher.update(String(index))
    return hasher.finalize()
}

func value(_ size: Int, seed: Int) -> [UInt8] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<size).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// Prints a row and flushes it, so that rows appear one at a time even into a file or a pipe.
func emit(_ line: String) {
    print(line)
    fflush(nil)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Times `batches` batches of `perBatch` operations; prints the median per operation and the spread.
func row(_ name: String, batches: Int = 7, perBatch: Int, _ operation: (Int) -> Void) {
    var perOperation: [Double] = []
    var counter = 0
    for _ in 0..<batches {
        let start = ContinuousClock.now
        for _ in 0..<perBatch {
            operation(counter)
            counter += 1
        }
        perOperation.append(seconds(ContinuousClock.now - start) / Double(perBatch))
    }
    perOperation.sort()
    let median = perOperation[perOperation.count / 2]
    emit("| \(name) | \(format(median)) | \(format(perOperation.first!)) – \(format(perOperation.last!)) |")
}

func format(_ seconds: Double) -> String {
    switch seconds {
    case ..<1e-3: String(format: "%.1f µs", seconds * 1e6)
    case ..<1: String(format: "%.2f ms", seconds * 1e3)
    default: String(format: "%.2f s", seconds)
    }
}

/// Times one run of `operation`, after flushing what earlier rows wrote so that it is not charged here.
func once(_ name: String, _ operation: () -> String) {
    sync()
    let start = ContinuousClock.now
    let note = operation()
    emit("| \(name) | \(format(seconds(ContinuousClock.now - start))) | single run\(note.isEmpty ? "" : "; " + note) |")
}

try? FileManager.default.removeItem(atPath: options.directory)
defer { try? FileManager.default.removeItem(atPath: options.directory) }
let store = ResultStore(directory: options.directory, configuration: StoreConfiguration(warn: { print("warning: \($0)") }))

emit("| operation | median per operation | spread (fastest – slowest batch) |")
emit("|---|---|---|")

let small = (0..<1_000).map { value(1_024, seed: $0) }
row("put, 1 KB output (new)", perBatch: 1_000) { store.put(key($0, "small"), small[$0 % small.count]) }
row("get, 1 KB output, verified", perBatch: 1_000) { _ in _ = store.output(for: key(Int.random(in: 0..<7_000), "small")) }

let large = (0..<16).map { value(1 << 20, seed: 10_000 + $0) }
row("put, 1 MB output (new)", batches: 5, perBatch: 16) { store.put(key($0, "large"), large[$0 % 16]) }
row("put, 1 MB output (already stored)", batches: 5, perBatch: 16) { store.put(key($0 + 100, "large"), large[$0 % 16]) }
row("get, 1 MB output, verified", batches: 5, perBatch: 16) { _ = store.output(for: key($0 % 80, "large")) }

let medium = value(10 * 1_024, seed: 99)
for index in 0..<1_000 { store.put(key(index, "hit"), medium + value(8, seed: index)) }
row("hit: entry + 10 KB output, verified", perBatch: 1_000) { _ = store.output(for: key($0 % 1_000, "hit")) }
row("miss: no entry", perBatch: 1_000) { _ = store.output(for: key($0, "absent")) }

// The large store: every entry has an output of its own, as test results do.
func fill(_ count: Int) -> Double {
    let start = ContinuousClock.now
    for index in 0..<count { store.put(key(index, "big"), value(256, seed: index)) }
    return seconds(ContinuousClock.now - start)
}
let populate = fill(options.entries)
emit("| fill the store with \(options.entries) entries of 256 B | \(format(populate)) | single run; \(format(populate / Double(options.entries))) a put |")
row("hit in a store of \(options.entries) entries, 256 B output", perBatch: 1_000) { _ in
    _ = store.output(for: key(Int.random(in: 0..<options.entries), "big"))
}
row("entry only, store of \(options.entries) entries", perBatch: 1_000) { _ in
    _ = store.entry(for: key(Int.random(in: 0..<options.entries), "big"))
}
once("statistics of \(options.entries) entries") {
    let statistics = store.statistics()
    return "\(statistics.entries) entries, \(statistics.outputs) outputs, \(statistics.bytes / 1_048_576) MiB"
}
once("trim, \(options.entries) entries, nothing due") { "removed \(store.trim().removedEntries)" }

/// A view of the store six days from now, when everything in it has gone unused for longer than five.
let sixDaysLater = ResultStore(
    directory: options.directory,
    configuration: StoreConfiguration(clock: { StoreConfiguration.systemClock() + 6 * 24 * 3_600 * 1_000_000_000 })
)
once("trim, everything unused for 6 days (delete all)") {
    let report = sixDaysLater.trim()
    return "removed \(report.removedEntries) entries and \(report.removedOutputs) outputs"
}

_ = fill(options.entries)
let capped = ResultStore(directory: options.directory, configuration: StoreConfiguration(maxSize: 16 << 20))
once("trim \(options.entries) entries to a 16 MiB cap (LRU eviction)") {
    let report = capped.trim()
    return "removed \(report.removedEntries) entries and \(report.removedOutputs) outputs"
}
