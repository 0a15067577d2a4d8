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

    /// Runs `run` for every plan, at most ``jobs`` at once, and calls `finished` with each plan and its run
    /// as it ends; `finished` runs on the caller's task, one at a time.
    func run(
        _ plans: [TargetPlan], _ run: @escaping @Sendable (TargetPlan) async -> TargetRun,
        finished: (TargetPlan, TargetRun) async -> Void
    ) async {
        let ticker = status.map { status in
            Task {
                while !Task.isCancelled {
                    status.tick()
                    try? await Task.sleep(for: Self.statusInterval)
                }
            }
        }
        defer {
            ticker?.cancel()
            status?.clear()
        }
        await withTaskGroup(of: (TargetPlan, TargetRun).self) { group in
            var pending = plans[...]
            func startNext() {
                guard let plan = pending.popFirst() else { return }
                status?.started(plan.target.name)
                group.addTask { (plan, await run(plan)) }
            }
            for _ in 0..<max(1, jobs) { startNext() }
            while let (plan, outcome) = await group.next() {
                status?.finished(plan.target.name)
                startNext()
                await finished(plan, outcome)
            }
        }
    }
}
