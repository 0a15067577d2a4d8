import Foundation
public import TestCacheStore

/// What the last run of a package with given options left failing: what `--rerun-failed` runs.
struct LastFailures: Codable, Sendable, Equatable {
    /// Per target that failed, in the run's order: the IDs of its failed tests, or nil when it failed as a
    /// whole (it did not build, its tests could not be listed, it failed outside any test).
    var targets: [Failed] = []

    struct Failed: Codable, Sendable, Equatable {
        var target: String
        /// The target's module, whose prefix selects all its tests when it failed as a whole.
        var module: String
        var tests: [String]?
    }

    var isEmpty: Bool { targets.isEmpty }

    /// The `--filter` expressions that select exactly these failures: each failed test by its ID, and
    /// every test of a target that failed as a whole.
    var filters: [String] {
        targets.flatMap { failed in
            failed.tests.map { $0.map { "^" + regexLiteral($0) + "$" } } ?? ["^" + regexLiteral(failed.module) + "\\."]
        }
    }
}

/// One run that ran tests, as the flake history keeps it.
struct FlakeRecord: Codable, Sendable, Equatable {
    /// When it ended, nanoseconds since 1970.
    var time: Int64
    /// The tests that failed and then passed on a retry; a target flaky without a test that says so is
    /// named `Target (target)`.
    var flaky: [String]
}

/// The memos behind `--rerun-failed` and `swift-testcache flaky`: the last run's failures per package and
/// options, and the flaky tests of the last runs of a package. Local to this machine and checkout, as
/// pytest's `.pytest_cache` and nextest's recorded runs are; a memo that does not read is no memo.
struct RunHistory: Sendable {
    let store: ResultStore?
    let salt: KeySalt

    static var keptRuns: Int { FlakeSummary.keptRuns }

    /// What identifies "this package and options" for `--rerun-failed`: the checkout, the targets asked
    /// for, the test options that select tests, the partition and the build options.
    static func scope(_ configuration: EngineConfiguration) -> String {
        let test = configuration.test
        return ([configuration.packagePath, "targets"] + configuration.targets.sorted() + ["filters"] + test.filters + ["skips"] + test.skips
            + ["partition", test.partition?.description ?? "", "xctest \(test.xctest)", "swift-testing \(test.swiftTesting)", "build"]
            + configuration.build.swiftBuildArguments).joined(separator: "\n")
    }

    func lastFailures(scope: String) -> LastFailures? {
        decode(store?.output(for: key("last-failures", scope)).value?.bytes)
    }

    func remember(_ failures: LastFailures, scope: String) {
        // Not encoded, not remembered: --rerun-failed then says no run is recorded.
        if let bytes = try? JSONEncoder().encode(failures) { store?.put(key("last-failures", scope), Array(bytes)) }
    }

    /// The flake history of the checkout at `root`, oldest first.
    func flakes(root: String) -> [FlakeRecord] {
        decode(store?.output(for: key("flakes", root)).value?.bytes) ?? []
    }

    func append(_ record: FlakeRecord, root: String) {
        let kept = (flakes(root: root) + [record]).suffix(Self.keptRuns)
        if let bytes = try? JSONEncoder().encode(Array(kept)) { store?.put(key("flakes", root), Array(bytes)) }
    }

    private func key(_ kind: String, _ subject: String) -> ActionID {
        var hasher = KeyHasher(name: "run-history", salt: salt)
        hasher.update(field: kind, subject)
        return hasher.finalize()
    }

    private func decode<Value: Decodable>(_ bytes: [UInt8]?) -> Value? {
        bytes.flatMap { try? JSONDecoder().decode(Value.self, from: Data($0)) }
    }
}

/// How often each test was flaky in the last runs of a package: `swift-testcache flaky`.
public struct FlakeSummary: Sendable, Equatable {
    /// How many runs the flake history keeps: enough for `flaky --runs 100`, small enough to rewrite at
    /// the end of a run (a few kilobytes).
    public static let keptRuns = 100

    /// How many runs were looked at (at most the number asked for).
    public var runs: Int
    /// Each test that was flaky in them, and in how many; most often first, then by ID.
    public var tests: [(id: String, count: Int)]

    public static func == (lhs: FlakeSummary, rhs: FlakeSummary) -> Bool {
        lhs.runs == rhs.runs && lhs.tests.map(\.id) == rhs.tests.map(\.id) && lhs.tests.map(\.count) == rhs.tests.map(\.count)
    }

    /// The flaky tests of the last `runs` runs that ran tests of the package at `packagePath`, as `store` recorded them.
    public init(store: ResultStore, packagePath: String, salt: KeySalt, runs: Int) {
        self.init(RunHistory(store: store, salt: salt).flakes(root: packagePath).suffix(runs))
    }

    init(_ records: some Collection<FlakeRecord>) {
        runs = records.count
        var counts: [String: Int] = [:]
        for record in records {
            for id in Set(record.flaky) { counts[id, default: 0] += 1 }
        }
        tests = counts.map { (id: $0.key, count: $0.value) }.sorted { ($1.count, $0.id) < ($0.count, $1.id) }
    }
}
