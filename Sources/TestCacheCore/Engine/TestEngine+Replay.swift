// The two levels of lookup: a target's action ID before anything is built, its content ID after the
// build; and the build between them.
import Foundation
import TestCacheReports
import TestCacheStore

extension TestEngine {
    /// Looks every cached plan up by its action ID and delivers the hits; gives the rest.
    func replayByActionID(_ plans: [TargetPlan], cache: ResultCache?, reporter: OrderedReporter) async -> [PendingTarget] {
        let found = await lookUp(plans.compactMap { plan in plan.actionID.map { (plan, $0) } }, in: cache)
        var pending: [PendingTarget] = []
        for plan in plans {
            let name = plan.target.name
            guard let id = plan.actionID, let lookup = found[plan.index] else {
                log.target(name, "not cached: \(plan.uncachedReason ?? "no store")")
                pending.append(PendingTarget(plan: plan, replayed: nil))
                continue
            }
            switch lookup {
            case .hit(let result, let inputs, let remote):
                log.target(name, "hit on action ID \(id.hex.prefix(16))\(remote ? ", fetched from the remote cache" : "")")
                if let replayed = keptForVerification(result, inputs: inputs, key: "action ID \(id.hex.prefix(16))") {
                    pending.append(PendingTarget(plan: plan, replayed: replayed))
                    continue
                }
                await reporter.deliver(plan.index, result)
            case .miss(let why):
                log.target(name, "miss on action ID \(id.hex.prefix(16)): \(why)")
                pending.append(PendingTarget(plan: plan, replayed: nil))
            }
        }
        return pending
    }

    /// The `--verify` policy, in one place: a hit is delivered, unless the run verifies, when what it
    /// would have replayed is kept instead, to be compared with a fresh run.
    func keptForVerification(_ result: TargetResult, inputs: TestInputs?, key: String) -> Replayed? {
        configuration.test.verify ? Replayed(result: result, inputs: inputs, key: key) : nil
    }

    /// Looks up every plan under the key given with it, all at once; the lookups by the plans' indices.
    func lookUp(
        _ keyed: [(plan: TargetPlan, key: ActionID)], in cache: ResultCache?, builtIn: String? = nil
    ) async -> [Int: CacheLookup] {
        guard let cache else { return [:] }
        let lookups = await cache.lookUp(keyed.map { (target: $0.plan.target, key: $0.key) }, builtIn: builtIn)
        return Dictionary(zip(keyed, lookups).map { ($0.plan.index, $1) }, uniquingKeysWith: { first, _ in first })
    }

    /// Builds the tests, replays the misses whose content IDs hit, and runs the rest.
    func buildAndRun(
        _ misses: [PendingTarget], package: LoadedPackage, cache: ResultCache?, selection: TestSelection,
        reporter: OrderedReporter, status: StatusLine?
    ) async throws -> RunOutcome {
        let builder = PackageBuilder(
            configuration: configuration, processes: swiftPM(), status: status, memos: memos, clock: services.clock, sleep: services.sleep,
            debug: { [log] in log.run($0) })
        let built: BuiltTests
        switch try await builder.build(model: package.model, toolchain: package.toolchain, system: package.buildSystem) {
        case .failed(let buildOutput):
            output.standardError(String(decoding: buildOutput, as: UTF8.self))
            for pending in misses {
                await reporter.deliver(pending.plan.index, TargetResult(name: pending.plan.target.name, status: .buildFailed))
            }
            return RunOutcome(failed: true)
        case .built(let tests):
            built = tests
        }
        // What the build read only matters to results that are stored.
        let readings = cache.map { _ in
            BuildReadings(
                root: configuration.packagePath, scratch: configuration.build.scratchDirectory(root: configuration.packagePath),
                layout: built.layout, model: package.model)
        }
        let contentKeys = ContentKeys(
            salt: configuration.salt, trace: log.hashTrace, layout: built.layout, model: package.model, memory: services.objects,
            now: services.clock())
        let toRun = await replayByContentID(
            misses, built: built, readings: readings, contentKeys: contentKeys, package: package, cache: cache, reporter: reporter)
        guard !toRun.isEmpty else { return RunOutcome() }
        let perTest = cache.map {
            PerTestCache(
                configuration: configuration, cache: $0, planner: package.planner, contentKeys: contentKeys, selection: selection,
                builtIn: built.buildDirectory, log: log)
        }
        return await runTargets(
            toRun, built: built, readings: readings, package: package, cache: cache, perTest: perTest, selection: selection,
            reporter: reporter, status: status)
    }

    /// The second level: what was built for each cached miss. A content hit is replayed, and filed under
    /// the action ID too, so that the next run hits without building. Gives the targets still to run.
    func replayByContentID(
        _ misses: [PendingTarget], built: BuiltTests, readings: BuildReadings?, contentKeys: ContentKeys, package: LoadedPackage,
        cache: ResultCache?, reporter: OrderedReporter
    ) async -> [BuiltTarget] {
        guard let cache, let readings else {
            return misses.map { BuiltTarget(plan: $0.plan, buildInputs: BuildInputs(), contentID: nil, replayed: $0.replayed) }
        }
        let learning = services.monotonicNow()
        let buildInputs = misses.map { $0.plan.actionID == nil ? BuildInputs() : readings.inputs(for: $0.plan.target) }
        log.run("learned what the build read for \(misses.count) targets in \(services.monotonicNow() - learning)")
        let keyed = zip(misses, buildInputs).map { pending, inputs in
            BuiltTarget(
                plan: pending.plan, buildInputs: inputs,
                contentID: pending.plan.actionID == nil ? nil : package.planner.contentID(of: pending.plan.target, from: contentKeys),
                replayed: pending.replayed)
        }
        let found = await lookUp(keyed.compactMap { target in target.contentID.map { (target.plan, $0) } }, in: cache, builtIn: built.buildDirectory)
        var toRun: [BuiltTarget] = []
        for target in keyed {
            let plan = target.plan
            guard let contentID = target.contentID, let lookup = found[plan.index] else {
                toRun.append(target)
                continue
            }
            switch lookup {
            case .hit(let result, let inputs, let remote):
                log.target(plan.target.name, "hit on content ID \(contentID.hex.prefix(16))\(remote ? ", fetched from the remote cache" : "")")
                if let replayed = target.replayed ?? keptForVerification(result, inputs: inputs, key: "content ID \(contentID.hex.prefix(16))") {
                    toRun.append(BuiltTarget(plan: plan, buildInputs: target.buildInputs, contentID: contentID, replayed: replayed))
                    continue
                }
                var inputs = inputs ?? .none
                inputs.build = target.buildInputs.merging(readings.inputs(forProducts: inputs.products))
                cache.file(result, inputs: inputs, actionID: plan.actionID, contentID: nil, builtIn: built.buildDirectory, for: plan.target)
                await reporter.deliver(plan.index, result)
            case .miss(let why):
                log.target(plan.target.name, "miss on content ID \(contentID.hex.prefix(16)): \(why)")
                toRun.append(target)
            }
        }
        return toRun
    }
}
