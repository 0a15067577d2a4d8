import TestCacheStore

/// Asks the built test binary what the runs of its targets need to know first: which tests it holds,
/// and which variables any test process reads whatever its tests do.
struct TestBinaryProbe: Sendable {
    let configuration: EngineConfiguration
    let processes: any ProcessRunning
    let memos: EngineMemos

    /// Lists the binary's XCTest and Swift Testing tests, both at once; without `swiftTesting` (a binary
    /// whose `main` is the package's own ``TestEntryPoint``, which runs XCTest whatever it is asked),
    /// XCTest's alone.
    func listTests(_ binary: String, swiftTesting listsSwiftTesting: Bool = true) async throws -> TestInventory {
        guard FileSystem.status(following: binary)?.isRegular == true else {
            throw TestCacheError(.build, "the build made no test binary")
        }
        let root = configuration.packagePath
        let environment = configuration.environment
        async let xctest = processes.capture(binary, ["--list-tests"], workingDirectory: root, environment: environment)
        async let swiftTesting = listsSwiftTesting
            ? processes.capture(
                binary, ["--testing-library", "swift-testing", "--list-tests"], workingDirectory: root, environment: environment)
            : nil
        let (listedXCTest, listedSwiftTesting) = try await (xctest, swiftTesting)
        guard listedXCTest.termination == .exited(0) else {
            throw TestCacheError(.build, "XCTest's --list-tests ended with \(listedXCTest.termination)")
        }
        if let listedSwiftTesting,
            listedSwiftTesting.termination != .exited(0) && listedSwiftTesting.termination != TestInventory.swiftTestingFoundNoTests
        {
            throw TestCacheError(.build, "Swift Testing's --list-tests ended with \(listedSwiftTesting.termination)")
        }
        return TestInventory(
            xctest: TestInventory.byModule(TestInventory.parseXCTestListing(listedXCTest.stdout)),
            swiftTesting: TestInventory.byModule(TestInventory.parseSwiftTestingListing(listedSwiftTesting?.stdout ?? []))
        )
    }

    /// The variables a test process reads whatever its tests do: the runtime's HOME, LANG, TZ, CF…,
    /// ICU's, XCTest's and Swift Testing's own switches. Measured, not written down: the test binary runs
    /// an empty XCTest selection and an empty Swift Testing filter under the tracer. They run no test
    /// code, so the answer depends on the toolchain alone and is remembered under its identity.
    func baselineVariables(_ binary: String, tracer: String, traceDirectory: String, toolchain: Toolchain) async -> Set<String> {
        if let remembered = memos.baselineVariables(toolchain: toolchain) { return remembered }
        func traced(_ name: String) -> [String: String] {
            var environment = configuration.environment
            TraceLog.preload(tracer, log: "\(traceDirectory)/\(name)", into: &environment)
            return environment
        }
        let root = configuration.packagePath
        // No test has these IDs; Swift Testing's `$` anchor matches nothing at all.
        async let xctest = processes.capture(
            binary, ["swift-testcache.Baseline"], workingDirectory: root, environment: traced("baseline-xctest"))
        async let swiftTesting = processes.capture(
            binary, ["--testing-library", "swift-testing", "--filter", "swift-testcache-baseline$"],
            workingDirectory: root, environment: traced("baseline-swift-testing"))
        // A baseline run that fails to start leaves the baseline smaller: more variables are keyed, never fewer.
        _ = try? await (xctest, swiftTesting)
        var names: Set<String> = []
        for name in ["baseline-xctest", "baseline-swift-testing"] {
            guard let bytes = FileSystem.contents("\(traceDirectory)/\(name)") else { return [] }  // untraced: no baseline
            names.formUnion(TraceLog(parsing: bytes).variables)
        }
        memos.rememberBaselineVariables(names, toolchain: toolchain)
        return names
    }
}
