import TestCacheStore

/// Runs targets at most `jobs` at a time in a task group, and hands each finished run back on the
/// calling task, in the order they finish; keeps the terminal's live status ticking meanwhile.
struct TargetScheduler: Sendable {
    /// How many targets run at once.
    let jobs: Int
    /// The live status on a terminal; nil for none.
    let status: StatusLine?

    /// How often the live status is redrawn: often enough that its seconds tick steadily.
    static let statusInterval: Duration = .milliseconds(500)

    /// Runs `run` for every built target, at most ``jobs`` at once, and calls `finished` with each and its
    /// run as it ends; `finished` runs on the caller's task, one at a time.
    func run(
        _ targets: [BuiltTarget], _ run: @escaping @Sendable (BuiltTarget) async -> TargetRun,
        finished: (BuiltTarget, TargetRun) async -> Void
    ) async {
        let ticker = status.map { status in
            Task {
                while !Task.isCancelled {
                    status.tick()
                    try? await Task.sleep(for: Self.statusInterval)  // cancelled: the loop ends, nothing to lose
                }
            }
        }
        defer {
            ticker?.cancel()
            status?.clear()
        }
        await withTaskGroup(of: (BuiltTarget, TargetRun).self) { group in
            var pending = targets[...]
            func startNext() {
                guard let target = pending.popFirst() else { return }
                status?.started(target.plan.target.name)
                group.addTask { (target, await run(target)) }
            }
            for _ in 0..<max(1, jobs) { startNext() }
            while let (target, outcome) = await group.next() {
                status?.finished(target.plan.target.name)
                startNext()
                await finished(target, outcome)
            }
        }
    }
}
