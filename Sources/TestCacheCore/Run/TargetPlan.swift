import TestCacheStore

/// A run's targets go through phases, each a value holding what the next step needs and nothing that is
/// filled in later: planned (``TargetPlan``), not settled by the action-ID lookup (``PendingTarget``),
/// keyed by what was built (``BuiltTarget``), ran (``TargetRun``).

/// A selected test target as the run plans it, before any lookup: where its line goes, whether its
/// result is cached, and its action ID.
struct TargetPlan: Sendable {
    /// Its position among the run's selected targets: where its line is printed.
    let index: Int
    let target: PackageTarget
    /// Why its result is neither looked up nor stored, or nil when it is.
    let uncachedReason: String?
    /// Its action ID, when it is cached.
    let actionID: ActionID?
}

/// A planned target the action-ID lookup did not settle: it missed, or it hit and `--verify` keeps what
/// would have been replayed, to compare with a fresh run.
struct PendingTarget: Sendable {
    let plan: TargetPlan
    /// With `--verify`: what the cache would have replayed.
    let replayed: Replayed?
}

/// A pending target once the tests are built: what the build read for it and its content ID.
struct BuiltTarget: Sendable {
    let plan: TargetPlan
    /// What the build read for it beyond its targets' directories (empty when uncached).
    let buildInputs: BuildInputs
    /// Its content ID, when it is cached and what was built for it is where the build system puts it.
    let contentID: ActionID?
    /// With `--verify`: what the cache would have replayed, by its action ID or its content ID.
    let replayed: Replayed?
}

/// A result the cache would have replayed, kept by `--verify` to compare with a fresh run.
struct Replayed: Sendable {
    var result: TargetResult
    /// What it was filed with: its input list.
    var inputs: TestInputs?
    /// The key it was found under: `action ID 1a2b…` or `content ID 3c4d…`.
    var key: String
}
