import TestCacheStore

/// One selected test target on its way through a run: where its line goes, and the keys it was looked
/// up under.
struct TargetPlan: Sendable {
    /// Its position among the run's selected targets: where its line is printed.
    let index: Int
    let target: PackageTarget
    /// Why its result is neither looked up nor stored, or nil when it is.
    let uncachedReason: String?
    /// Its action ID, when it is cached.
    var actionID: ActionID?
    /// Its content ID, once built, when it is cached.
    var contentID: ActionID?
    /// What the build read for it beyond its targets' directories, once built.
    var buildInputs = BuildInputs()
    /// With `--verify`: what the cache would have replayed, to compare with a fresh run.
    var replayed: Replayed?
}

/// A result the cache would have replayed, kept by `--verify` to compare with a fresh run.
struct Replayed: Sendable {
    var result: TargetResult
    /// What it was filed with: its input list.
    var inputs: TestInputs?
    /// The key it was found under: `action ID 1a2b…` or `content ID 3c4d…`.
    var key: String
}
