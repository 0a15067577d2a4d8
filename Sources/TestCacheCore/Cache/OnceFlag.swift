import Synchronization

/// True for the first caller only: for what a run does once, whichever of its tasks comes first.
final class OnceFlag: Sendable {
    private let done = Mutex(false)

    /// Whether this caller is the first.
    func claim() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
