// A child process for the store's multi-process tests: it hammers a shared store, or writes until it is
// killed, or checks what a killed writer left. It prints one result line and exits 0, or 1 on corruption.
//
//   testcache-torture hammer DIR WORKER ITERATIONS   put and get shared and own keys, trimming under a cap
//   testcache-torture write DIR                      put large values in a loop until killed
//   testcache-torture verify DIR                     every key reads back whole or as "not found"

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestCacheStore

/// Keys every process shares; a handful so that writers collide on the same files constantly.
let sharedKeyCount = 8
let salt = KeySalt(toolVersion: "torture")

func key(_ name: String) -> ActionID {
    var hasher = KeyHasher(name: "torture", salt: salt)
    hasher.update(name)
    return hasher.finalize()
}

/// A value that proves itself: a header naming its key and length, then bytes generated from the header.
/// Any torn, mixed or misfiled read fails ``verify(_:key:)``.
func makeValue(key: String, tag: String, length: Int) -> [UInt8] {
    let header = Array("\(key)|\(tag)|\(length)\n".utf8)
    return header + payload(seed: header, count: length)
}

func payload(seed: [UInt8], count: Int) -> [UInt8] {
    var state: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in seed { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    return bytes
}

/// Whether `bytes` is a whole value made for `key`.
func verify(_ bytes: [UInt8], key: String) -> Bool {
    guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return false }
    let header = Array(bytes[...newline])
    let fields = String(decoding: header.dropLast(), as: UTF8.self).split(separator: "|")
    guard fields.count == 3, fields[0] == key, let length = Int(fields[2]), bytes.count == header.count + length
    else { return false }
    return Array(bytes[(newline + 1)...]) == payload(seed: header, count: length)
}

func fail(_ message: String) -> Never {
    print("CORRUPT \(message)")
    exit(1)
}

/// Puts and gets shared and own keys for `iterations` rounds while capped trims evict under them.
func hammer(directory: String, worker: Int, iterations: Int) {
    // A small cap so that trims evict constantly while other processes read.
    let store = ResultStore(directory: directory, configuration: StoreConfiguration(maxSize: 2 << 20))
    var lastOwn: [String: [UInt8]] = [:]
    var hits = 0
    var misses = 0
    for iteration in 0..<iterations {
        let roll = Int.random(in: 0..<100)
        if roll < 25 {
            // A shared key: every process writes the same bytes for it.
            let name = "shared-\(Int.random(in: 0..<sharedKeyCount))"
            store.put(key(name), makeValue(key: name, tag: "shared", length: name.utf8.count * 997))
        } else if roll < 45 {
            // One of this worker's own keys, rewritten with a new value each time.
            let name = "w\(worker)-\(Int.random(in: 0..<4))"
            let value = makeValue(key: name, tag: "\(iteration)", length: Int.random(in: 0..<200_000))
            if store.put(key(name), value) != nil { lastOwn[name] = value }
        } else if roll < 47 {
            store.trim()
        } else {
            // Any key of any worker: a hit must verify, a miss must be an honest absence.
            let name = roll < 75
                ? "shared-\(Int.random(in: 0..<sharedKeyCount))" : "w\(Int.random(in: 0..<4))-\(Int.random(in: 0..<4))"
            switch store.output(for: key(name)) {
            case .hit(let stored):
                guard verify(stored.bytes, key: name) else { fail("\(name): \(stored.bytes.count) bytes do not verify") }
                if name.hasPrefix("w\(worker)-"), stored.bytes != lastOwn[name] {
                    fail("\(name): read an older value than this worker last wrote")
                }
                hits += 1
            case .miss(.notFound), .miss(.outputMissing):
                misses += 1  // absent, or evicted by a trim racing this read
            case .miss(let reason):
                fail("\(name): \(reason)")
            }
        }
    }
    print("ok hits=\(hits) misses=\(misses)")
}

/// Puts large values under the shared keys until the process is killed.
///
/// Not optimized: with -O, Swift 6.3.1's optimizer spends over ten minutes on this function (an endless
/// loop around the inlined value generator and `put`), which stalled `swift build -c release`; the
/// rest of the file compiles in seconds. How fast this loop runs does not matter to the tests.
@_optimize(none)
func writeUntilKilled(directory: String) -> Never {
    let store = ResultStore(directory: directory)
    var round = 0
    while true {
        round += 1
        let name = "shared-\(round % sharedKeyCount)"
        // Up to 2 MiB, so that a kill often lands inside a write.
        store.put(key(name), makeValue(key: name, tag: "\(getpid())-\(round)", length: Int.random(in: 1...(2 << 20))))
    }
}

/// Checks that every shared key reads back whole or as "not found".
func verifyAll(directory: String) {
    let store = ResultStore(directory: directory)
    var hits = 0
    var misses = 0
    for index in 0..<sharedKeyCount {
        let name = "shared-\(index)"
        switch store.output(for: key(name)) {
        case .hit(let stored):
            guard verify(stored.bytes, key: name) else { fail("\(name): \(stored.bytes.count) bytes do not verify") }
            hits += 1
        case .miss(.notFound):
            misses += 1
        case .miss(let reason):
            fail("\(name): \(reason)")
        }
    }
    print("ok hits=\(hits) misses=\(misses)")
}

let usage = "usage: testcache-torture hammer DIR WORKER ITERATIONS | write DIR | verify DIR"
let arguments = CommandLine.arguments
switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
case (5, "hammer"):
    guard let worker = Int(arguments[3]), let iterations = Int(arguments[4]) else {
        print(usage)
        exit(2)
    }
    hammer(directory: arguments[2], worker: worker, iterations: iterations)
case (3, "write"):
    writeUntilKilled(directory: arguments[2])
case (3, "verify"):
    verifyAll(directory: arguments[2])
default:
    print(usage)
    exit(2)
}
