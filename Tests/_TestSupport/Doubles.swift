import Foundation
import Synchronization
public import TestCacheStore

/// A clock the test moves by hand.
public final class ManualClock: Sendable {
    private let nanoseconds: Mutex<Int64>

    /// Starts at an arbitrary fixed date (2026-01-01), so results never depend on the real time.
    public init(start: Int64 = 1_767_225_600 * 1_000_000_000) {
        nanoseconds = Mutex(start)
    }

    public var now: Int64 { nanoseconds.withLock { $0 } }

    public func advance(hours: Double) {
        nanoseconds.withLock { $0 += Int64(hours * 3_600 * 1_000_000_000) }
    }

    /// The clock as the store and the engine take one.
    public var function: @Sendable () -> Int64 { { self.now } }
}

/// Collects the warnings a store or a remote cache gives.
public final class WarningLog: Sendable {
    private let messages = Mutex<[String]>([])

    public init() {}

    public var all: [String] { messages.withLock { $0 } }

    public var function: @Sendable (String) -> Void { { message in self.messages.withLock { $0.append(message) } } }
}

/// A store in `directory` driven by `clock`, its warnings going to `warnings`.
public func makeStore(
    _ directory: TemporaryDirectory, clock: ManualClock = ManualClock(), warnings: WarningLog = WarningLog(),
    maxSize: Int64? = nil
) -> ResultStore {
    ResultStore(
        directory: directory.storePath,
        configuration: StoreConfiguration(maxSize: maxSize, clock: clock.function, warn: warnings.function)
    )
}

/// The salt of every key the tests make.
public let testSalt = KeySalt(toolVersion: "test")

/// A key named by `name`, as the engine would make one.
public func key(_ name: String) -> ActionID {
    var hasher = KeyHasher(name: "test", salt: testSalt)
    hasher.update(name)
    return hasher.finalize()
}

/// A key numbered `number`.
public func key(_ number: Int) -> ActionID {
    key(String(number))
}
