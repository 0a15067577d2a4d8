#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TestCacheReports
import TestCacheStore

/// Runs one test target's tests from the binary the build made for it (the native build system's one
/// for all, Swift Build's runner of that target), and again its failed tests up to `--retries` times.
struct TargetRunner: Sendable {
    let configuration: EngineConfiguration
    /// Where the binary that runs each target is.
    let built: BuiltTests
    let selection: TestSelection
    let processes: any ProcessRunning
    /// Wall-clock time, to stamp when a run started.
    let clock: @Sendable () -> Int64
    /// Monotonic time, for how long a run took.
    let monotonicNow: @Sendable () -> ContinuousClock.Instant
    let stream: (@Sendable ([UInt8]) -> Void)?
    /// The read tracer and the directory its logs go to, one per target; nil runs untraced.
    let tracing: (library: String, directory: String)?
    /// Where Swift Testing writes its event streams, one file per process; nil reads none (and so no
    /// per-test results of Swift Testing's).
    let eventsDirectory: String?
    /// Measures line coverage, with `--enable-code-coverage`.
    var coverage: CoverageCollector?
    /// The tests whose failures do not fail their target.
    var quarantine = Quarantine()

    /// What is known of a target's tests before they run.
    enum Tests: Sendable {
        /// The binary's tests, listed.
        case listed(TestInventory)
        /// Not listed: the target's own runner (Swift Build) holds its tests and no others, and every one
        /// of them runs, so each testing library runs the whole runner, as `swift test` does; `list`
        /// lists them only if a retry needs their IDs. A runner that ran no test has no test files.
        case wholeRunner(list: @Sendable () async throws -> TestInventory)
        /// Not listable: the package's own entry point is the binary's main and answers none of XCTest's
        /// options (Spectre's runner, say). The binary runs as `swift test` runs it, with no arguments,
        /// and its exit status is the verdict of each target it holds; nothing can be selected or retried.
        case ownMain
    }

    /// Runs the selected tests of `target`, each testing library's in a process of its own; with
    /// `only`, just those of them (the tests whose results per test are not cached).
    func run(_ target: PackageTarget, tests: Tests, only: Set<String>? = nil) async -> TargetRun {
        switch tests {
        case .listed(let inventory): return await run(target, inventory: inventory, list: nil, only: only)
        case .wholeRunner(let list): return await run(target, inventory: nil, list: list, only: nil)
        case .ownMain: return await run(target, inventory: nil, list: nil, only: nil, ownMain: true)
        }
    }

    /// Runs `target`'s tests: those `inventory` lists that the selection selects, or when it is nil,
    /// the whole runner (with `ownMain`, as a program of the package's own).
    private func run(
        _ target: PackageTarget, inventory listed: TestInventory?, list: (@Sendable () async throws -> TestInventory)?, only: Set<String>?,
        ownMain: Bool = false
    ) async -> TargetRun {
        let module = target.moduleName
        var inventory = listed ?? TestInventory()
        /// The module's tests `inventory` lists, of each testing library that is enabled.
        func enabledTests() -> (xctest: [String], swiftTesting: [String]) {
            (configuration.test.xctest ? inventory.xctest[module] ?? [] : [],
             configuration.test.swiftTesting ? inventory.swiftTesting[module] ?? [] : [])
        }
        let (allXCTest, allSwiftTesting) = enabledTests()
        var run = TargetRun(result: TargetResult(name: target.name, status: .passed, duration: .zero), streamed: stream != nil)
        guard listed == nil || !allXCTest.isEmpty || !allSwiftTesting.isEmpty else {
            run.result.status = .noTestFiles
            run.storable = true
            return run
        }
        var xctest = allXCTest.filter { selection.selects($0) && only?.contains($0) != false }
        var swiftTesting = allSwiftTesting.filter { selection.selects($0) && only?.contains($0) != false }
        if configuration.test.list {
            run.result.output = Array((xctest + swiftTesting).map { $0 + "\n" }.joined().utf8)
            run.storable = true
            return run
        }
        guard listed == nil || !xctest.isEmpty || !swiftTesting.isEmpty else {
            run.result.status = .noTestsToRun
            run.storable = true
            return run
        }

        var environment = configuration.environment
        // As `swift test` does: no colour codes in output that is not going to a terminal.
        if !configuration.outputIsTerminal { environment["NO_COLOR"] = "1" }
        let log = tracing.map { "\($0.directory)/\(target.name).log" }
        if let tracing, let log {
            TraceLog.preload(tracing.library, log: log, into: &environment)
        }
        if let coverage { environment[CoverageCollector.profileVariable] = coverage.profileFile(for: target) }

        run.started = clock()
        let start = monotonicNow()
        var attempt = await self.attempt(
            xctest: xctest, swiftTesting: swiftTesting, wholeModule: selection.isEverything && only == nil, whole: listed == nil, target: target,
            inventory: inventory, environment: environment, result: &run.result, number: 0, ownMain: ownMain)
        // A main of the package's own reports its tests in its own words: its pass is a pass.
        if listed == nil, !ownMain, run.result.status == .passed, attempt.tests.isEmpty {
            run.result.status = .noTestFiles
        }
        if ownMain, run.result.status == .failed, configuration.test.retries > 0 {
            note("*** Not retried: the package's own test entry point runs every test at once, and none can be chosen.", &run.result)
        }
        var retries = 0
        while run.result.status == .failed, !ownMain, !attempt.stopped, retries < configuration.test.retries {
            if listed == nil, xctest.isEmpty, swiftTesting.isEmpty, let list {
                // The whole runner ran: its tests' IDs are needed now, to run the failed ones again.
                guard let found = try? await list() else {
                    // Without IDs nothing can be selected: say so, and keep the failure as it is.
                    note("*** Not retried: the failed tests could not be listed.", &run.result)
                    break
                }
                inventory = found
                (xctest, swiftTesting) = enabledTests()
            }
            retries += 1
            let failed = Set(attempt.tests.filter { $0.outcome == .failed }.map(\.id))
            // A failure no test owns (a crash before any test, say) reruns every selected test.
            let again = failed.isEmpty
                ? (xctest: xctest, swiftTesting: swiftTesting)
                : (xctest: xctest.filter(failed.contains), swiftTesting: swiftTesting.filter(failed.contains))
            let count = again.xctest.count + again.swiftTesting.count
            note("*** Retry \(retries) of \(configuration.test.retries): running \(count) failed test\(count == 1 ? "" : "s") again.", &run.result)
            var retried = TargetResult(name: target.name, status: .passed)
            let next = await self.attempt(
                xctest: again.xctest, swiftTesting: again.swiftTesting, wholeModule: false, whole: false, target: target,
                inventory: inventory, environment: environment, result: &retried, number: retries)
            run.result.output += retried.output
            attempt.truncated = attempt.truncated || next.truncated
            attempt.stopped = next.stopped
            attempt.abnormal = attempt.abnormal || next.abnormal
            run.result.tests = Self.merge(run.result.tests, retry: retried.tests)
            if retried.status == .passed { run.result.status = .flaky }
            attempt.tests = retried.tests
        }
        run.result.duration = monotonicNow() - start
        run.storable = run.result.status == .passed && !attempt.truncated
        if applyQuarantine(to: &run.result, abnormal: attempt.abnormal) {
            // A target that holds a quarantined test is never stored whole: its pass would stand for that test.
            run.storable = false
        }
        run.testsStorable = !attempt.truncated
        if let coverage {
            run.result.coverage = await coverage.measure(target) { message in note("*** \(message)", &run.result) }
            // A covered run whose coverage could not be measured would replay without it.
            if run.result.coverage == nil { run.storable = false }
        }
        if let log {
            // Every traced process logs the runtime's own getenv calls; no log means the tracer did not
            // load, and what the run read is unknown: not storable.
            if let bytes = FileSystem.contents(log) {
                run.trace = TraceLog(parsing: bytes)
                unlink(log)
            } else {
                run.storable = false
                run.testsStorable = false
            }
        }
        return run
    }

    /// How one attempt at a target's tests went, beyond what it added to the result.
    private struct Attempt {
        /// Its tests' results.
        var tests: [TestCaseResult] = []
        /// Some output was cut (too large to keep whole).
        var truncated = false
        /// It ended in a way retrying cannot help: a timeout, or the binary would not start.
        var stopped = false
        /// A process ended other than by exiting (a signal, a timeout) or could not start: a failure that
        /// no quarantined test can be said to own.
        var abnormal = false
    }

    /// Marks the quarantined tests of `result`, and passes a target whose only failures are theirs (each
    /// failed test quarantined, every process exited); gives whether it holds a quarantined test.
    private func applyQuarantine(to result: inout TargetResult, abnormal: Bool) -> Bool {
        guard !quarantine.entries.isEmpty else { return false }
        var holds = false
        for index in result.tests.indices where quarantine.entry(for: result.tests[index].id) != nil {
            result.tests[index].quarantined = true
            holds = true
        }
        let failed = result.tests.filter { $0.outcome == .failed }
        if result.status == .failed, !abnormal, !failed.isEmpty, failed.allSatisfy(\.failedInQuarantine) {
            result.status = .passed
            for test in failed {
                let reason = quarantine.entry(for: test.id)?.reason.map { " (\($0))" } ?? ""
                note("*** \(test.id) failed in quarantine\(reason): the run passes.", &result)
            }
        }
        return holds
    }

    /// Runs `xctest` and `swiftTesting` (IDs; the whole module's Swift Testing tests by a module filter
    /// when `wholeModule`; with `whole`, everything the runner holds, by each library enabled),
    /// `--count` times, adding output, status and tests to `result`. With `ownMain`, the binary runs once
    /// a count with no arguments at all, as `swift test` runs a package's own entry point.
    private func attempt(
        xctest: [String], swiftTesting: [String], wholeModule: Bool, whole: Bool, target: PackageTarget,
        inventory: TestInventory, environment: [String: String], result: inout TargetResult, number: Int, ownMain: Bool = false
    ) async -> Attempt {
        let module = target.moduleName
        let binary = built.binary(for: target)
        var invocations: [(arguments: [String], events: String?)] = []
        if ownMain {
            invocations.append(([], nil))
        } else if whole && configuration.test.xctest {
            invocations.append(([], nil))
        } else if !xctest.isEmpty {
            invocations += xctestSelections(xctest, allOfModule: inventory.xctest[module] ?? []).map { ($0, nil) }
        }
        if !ownMain, !swiftTesting.isEmpty || (whole && configuration.test.swiftTesting) {
            let filters = whole ? [] : wholeModule
                ? ["--filter", "^" + regexLiteral(module) + "\\."]
                : swiftTesting.flatMap { ["--filter", "^" + regexLiteral($0)] }
            var arguments = ["--testing-library", "swift-testing"] + filters
            let events = eventsDirectory.map { "\($0)/\(target.name)-\(number).jsonl" }
            if let events {
                // The toolchain's own version of the stream: asking for an older one (0) turns warning issues
                // off, which changes what a test that handles them sees (swift-property-based's do).
                arguments += ["--event-stream-output-path", events]
            }
            invocations.append((arguments, events))
        }
        var attempt = Attempt()
        runs: for _ in 0..<(configuration.test.count ?? 1) {
            for (arguments, events) in invocations {
                var executable = binary
                var fullArguments = arguments + configuration.test.passthrough
                if let wrapper = configuration.test.execWrapper.first {
                    executable = wrapper
                    fullArguments = Array(configuration.test.execWrapper.dropFirst()) + [binary] + fullArguments
                }
                do {
                    let process = try await processes.runMerged(
                        executable, fullArguments, workingDirectory: configuration.packagePath,
                        environment: environment, timeout: configuration.test.timeout, stream: stream
                    )
                    result.output += process.output
                    attempt.truncated = attempt.truncated || process.truncated
                    // Each test once a process, however often the binary ran it.
                    if let events {
                        attempt.tests += TestCaseResult.mergingRepeats(SwiftTestingEvents.parse(FileSystem.contents(events) ?? [], module: module))
                        unlink(events)
                    } else {
                        attempt.tests += TestCaseResult.mergingRepeats(XCTestOutput.parse(String(decoding: process.output, as: UTF8.self), module: module))
                    }
                    if process.timedOut {
                        note("*** Test killed: ran too long (\(goDuration(configuration.test.timeout))).", &result)
                        result.status = .failed
                        attempt.stopped = true
                        attempt.abnormal = true
                        break runs
                    }
                    switch process.termination {
                    case .exited(0): break
                    // A whole runner that holds none of its Swift Testing tests.
                    case TestInventory.swiftTestingFoundNoTests
                    where whole && events != nil && !attempt.tests.contains(where: { $0.id.hasSuffix(")") }): break
                    case .exited: result.status = .failed
                    case .signaled:
                        note("*** Test binary terminated by \(process.termination).", &result)
                        result.status = .failed
                        attempt.abnormal = true
                    }
                } catch {
                    note("\(EngineLog.prefix)cannot run \(executable): \(error)", &result)
                    result.status = .failed
                    attempt.stopped = true
                    attempt.abnormal = true
                    break runs
                }
            }
        }
        result.tests += attempt.tests
        return attempt
    }

    /// The tests after a retry: each test the retry ran takes its new result, and one that failed before
    /// and passed now is flaky, keeping its earlier failures.
    static func merge(_ tests: [TestCaseResult], retry: [TestCaseResult]) -> [TestCaseResult] {
        let latest = Dictionary(retry.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return tests.map { test in
            guard let again = latest[test.id] else { return test }
            var merged = again
            if again.outcome == .passed && (test.outcome == .failed || test.outcome == .flaky) {
                merged.outcome = .flaky
                merged.failures = test.failures + again.failures
                merged.output = test.output + again.output
            } else if again.outcome == .failed {
                merged.failures = test.failures + again.failures
                merged.output = test.output + again.output
            }
            return merged
        }
    }

    /// Adds a line of the tool's own to a target's output (and to the live stream).
    private func note(_ line: String, _ result: inout TargetResult) {
        if let last = result.output.last, last != UInt8(ascii: "\n") { result.output.append(UInt8(ascii: "\n")) }
        let bytes = Array((line + "\n").utf8)
        result.output += bytes
        stream?(bytes)
    }
}
