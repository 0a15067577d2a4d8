/// Says for a target whether the next run would replay it, and if not what changed since its last
/// stored result: the key components recorded then, against the same fields recorded now.
struct Explainer: Sendable {
    let package: LoadedPackage
    /// The local cache; nil when there is no store.
    let cache: ResultCache?
    let memos: EngineMemos

    /// How many changes are listed per target: the first few say why; a long list says little more.
    static let listedChanges = 6

    /// The lines `explain` prints for one target.
    func explanation(of target: PackageTarget) -> [String] {
        let name = target.name
        let planner = package.planner
        // The run's own decision, so that explain and a run never disagree on it.
        if let reason = planner.uncachedReason(for: target, storeAvailable: cache != nil) {
            return ["\(name): not cached: \(reason)"]
        }
        guard let cache else { return [] }  // unreachable: without a store, uncachedReason said "no store"
        if cache.lookUpLocally(planner.actionID(of: target), for: target).result != nil { return ["\(name): cached"] }
        guard let stored = memos.keyComponents(of: name, root: planner.configuration.packagePath) else {
            return ["\(name): not cached: no result of this checkout is stored (it never passed here, or was cleaned)"]
        }
        // Only a miss pays for recording every field: the hit above used this run's memos.
        let collector = KeyComponentCollector()
        _ = planner.recordedActionID(of: target, record: collector.recorder)
        if let inputs = stored.inputs {
            _ = planner.stateKey(of: inputs, for: target, record: collector.recorder)
        }
        // The dependencies' files are kept once for the package (``EngineMemos/dependencyFields(root:)``).
        var then = stored
        then.fields.merge(memos.dependencyFields(root: planner.configuration.packagePath)) { own, _ in own }
        let changes = KeyComponents(fields: collector.collected).changes(since: then, traced: planner.configuration.tracer != nil)
        guard !changes.isEmpty else {
            return ["\(name): not cached: nothing it depends on changed, but its stored result is gone (trimmed or cleaned)"]
        }
        // Only what is built changed: the next run builds, and replays the result after all if what is
        // built for the target comes out the same (a comment edit, say). Any other change reruns it.
        let builds = changes.allSatisfy(\.rebuilds)
        var lines = ["\(name): not cached\(builds ? " unless what is built for it comes out the same" : ""):"]
        lines += changes.prefix(Self.listedChanges).map { "    " + $0.text }
        if changes.count > Self.listedChanges { lines.append("    and \(changes.count - Self.listedChanges) more changes") }
        return lines
    }
}
