import Foundation
import Synchronization
import TestCacheStore
@_exported import _TestSupport

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let nanoseconds: Mutex<Int64>

    /// Starts at an arbitrary fixed date (2026-01-01), so results never depend on the real time.
    init(start: Int64 = 1_767_225_600 * 1_000_000_000) {
        nanoseconds = Mutex(start)
    }

    var now: Int64 { nanoseconds.withLock { $0 } }

    func advance(hours: Double) {
        nanoseconds.withLock { $0 += Int64(hours * 3_600 * 1_000_000_000) }
    }

    var function: @Sendable () -> Int64 { { self.now } }
}

/// Collects the warnings a store sends.
final class WarningLog: Sendable {
    private let messages = Mutex<[String]>([])

    var all: [String] { messages.withLock { $0 } }

    var function: @Sendable (String) -> Void { { message in self.messages.withLock { $0.append(message) } } }
}

/// A store in `directory` driven by `clock`, its warnings going to `warnings`.
func makeStore(
    _ directory: TemporaryDirectory, clock: ManualClock, warnings: WarningLog = WarningLog(), maxSize: Int64? = nil
) -> ResultStore {
    ResultStore(
        directory: directory.storePath,
        configuration: StoreConfiguration(maxSize: maxSize, clock: clock.function, warn: warnings.function)
    )
}

let testSalt = KeySalt(toolVersion: "test")

/// A key named by `name`, as the engine would make one.
func key(_ name: String) -> ActionID {
    var hasher = KeyHasher(name: "test", salt: testSalt)
    hasher.update(name)
    return hasher.finalize()
}

/// `count` bytes that differ with `seed`.
func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

/// The path of a file in the store, by its hex name and suffix (`-a` entry, `-d` output).
func storeFile(_ directory: TemporaryDirectory, _ hex: String, _ suffix: String) -> String {
    "\(directory.storePath)/\(hex.prefix(2))/\(hex)\(suffix)"
}

/// The modification time of `path` in nanoseconds.
func modificationTime(_ path: String) throws -> Int64 {
    let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    return Int64((date.timeIntervalSince1970 * 1e9).rounded())
}

/// Sets the modification time of `path`.
func setModificationTime(_ path: String, _ nanoseconds: Int64) throws {
    let date = Date(timeIntervalSince1970: Double(nanoseconds) / 1e9)
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
}
