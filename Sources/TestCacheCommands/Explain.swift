import ArgumentParser
import TestCacheCore

extension SwiftTestCache {
    /// `swift-testcache explain`: why each target would or would not be replayed by the next run.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say, per test target, whether the next run would replay its result, and if not what changed.",
            discussion: """
                Takes the options of 'swift-testcache test', since they are part of the keys, and builds and \
                runs nothing. For each selected test target it prints "cached", or what changed since its \
                result was last stored from this checkout: a source or data file, a file of a dependency, a \
                manifest, Package.resolved, the toolchain, a build or test option, a file, directory or product \
                its tests used, a variable they read, or a declaration in \(PackageSettings.fileName). When only \
                what is built changed, the next run builds, and may still replay the result if what is built for \
                the target is unchanged (a comment edit). It consults the local store only, never a remote cache. \
                With --tests, it lists instead, per test, why each test ran in the last run that cached the \
                target's tests one by one: the functions, strings or types it reaches that changed, and where.
                """
        )

        @OptionGroup(title: "Paths & Locations")
        var locations: LocationOptionsGroup

        @OptionGroup(title: "Build Options")
        var build: BuildOptionsGroup

        @OptionGroup(title: "Trait Options")
        var traits: TraitOptionsGroup

        @OptionGroup
        var test: TestOptionsGroup

        @Flag(help: "List, per test, why each test ran in the last run that cached the target's tests one by one (what it reaches that changed).")
        var tests = false

        @Argument(help: "Test targets to explain (default: every test target of the package).")
        var targets: [String] = []

        func run() async throws {
            let engine = try Test.engine(
                locations: locations, build: build, traits: traits, test: test, targets: targets, binaryArguments: [])
            try await Test.reportingErrors { try await engine.explain(tests: tests) }
        }
    }
}
