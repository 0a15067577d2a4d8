// Running the targets that missed: list their tests, run them `jobs` at a time, store each passing
// run, and with `--verify` compare each fresh run with what the cache would have replayed.
import Foundation
import TestCacheReports
import TestCacheStore

extension TestEngine {
    /// Lists the tests, measures the trace baseline, and runs the plans `jobs` at a time, storing each
    /// passing run and printing each line when its turn comes; with `--verify`, compares each fresh run
    /// with what the cache would have replayed.
    func runTargets(
        _ plans: [BuiltTarget], built: BuiltTests, readings: BuildReadings?, package: LoadedPackage, cache: ResultCache?,
        perTest: PerTestCache?, selection: TestSelection, reporter: OrderedReporter, status: StatusLine?
    ) async -> RunOutcome {
        let probe = TestBinaryProbe(configuration: configuration, processes: processes, memos: memos)
        // The native build system's one binary is listed once for every target; Swift Build's runners
        // each list their own target's tests as the target's run starts.
        var listed: TestInventory?
        // The package's own entry point is the binary's main, and it does not list tests as XCTest does.
        var ownMain = false
        if built.layout.system == .native, let first = plans.first {
            let binary = built.binary(for: first.plan.target)
            // As `swift test` does: with the package's own entry point, Swift Testing is not run.
            let entryPoints = TestEntryPoint.find(in: package.model, root: configuration.packagePath)
            if let entryPoint = entryPoints.first {
                log.run("the test binary's main is \(entryPoint): it runs the XCTest tests it lists, and Swift Testing is not run, as swift test does")
            }
            do {
                listed = try await probe.listTests(binary, swiftTesting: entryPoints.isEmpty)
                if let entryPoint = entryPoints.first, let inventory = listed, inventory.isEmpty {
                    // A main that ignored the request (and ran what it runs): nothing to select, so it runs whole.
                    log.run("the test binary, whose main is \(entryPoint), listed no tests: each target runs it whole, "
                        + "with no arguments, as swift test does, and is cached whole")
                    ownMain = true
                    listed = nil
                }
            } catch let error where !entryPoints.isEmpty {
                // `swift test` runs such a binary with no arguments and takes its exit status: so does the tool.
                log.run("cannot list the tests of \(binary) (\(error)): its main, \(entryPoints[0]), is the package's own, "
                    + "so each target runs it whole, with no arguments, as swift test does, and is cached whole")
                ownMain = true
            } catch {
                log.note("cannot list the tests of \(binary): \(error)")
                for built in plans { await reporter.deliver(built.plan.index, TargetResult(name: built.plan.target.name, status: .setupFailed)) }
                return RunOutcome(failed: true)
            }
        }
        let shared = listed
        let runsWhole = ownMain
        // The tracer's logs, one per target run, read and removed as each run ends. Without a place for
        // them, what the tests read cannot be known, and their results are not stored.
        let traceDirectory = configuration.tracer == nil ? nil : services.makeTemporaryDirectory()
        defer { if let traceDirectory { removeFlatDirectory(traceDirectory) } }
        let tracing = configuration.tracer.flatMap { library in traceDirectory.map { (library: library, directory: $0) } }
        // Swift Testing's event streams, one per process, read and removed as each ends: per-test results.
        let eventsDirectory = configuration.test.list ? nil : services.makeTemporaryDirectory()
        defer { if let eventsDirectory { removeFlatDirectory(eventsDirectory) } }
        let storing = configuration.tracer == nil || tracing != nil ? cache : nil
        var baseline: Set<String> = []
        if ownMain {
            // Measuring would run the package's own main, tests and all, and take what they read for what
            // every test process reads: only a baseline measured on a binary that runs nothing is used.
            baseline = memos.baselineVariables(toolchain: package.toolchain) ?? []
        } else if let tracing {
            baseline = await probe.baselineVariables(
                built.binary(for: plans[0].plan.target), tracer: tracing.library, traceDirectory: tracing.directory, toolchain: package.toolchain)
        }

        // Never into a machine-readable stream (`--json`) that stands in for the lines.
        let streams = configuration.test.verbose && (plans.count == 1 || configuration.test.jobs == 1) && output.printsLines
        let show: @Sendable ([UInt8]) -> Void = { [output] bytes in output.standardOutput(String(decoding: bytes, as: UTF8.self)) }
        // The raw profiles of `--enable-code-coverage`, a directory per target, each removed once measured.
        let coverageDirectory = configuration.build.codeCoverage && !configuration.test.list ? services.makeTemporaryDirectory() : nil
        defer { if let coverageDirectory { FileSystem.removeTree(coverageDirectory) } }
        let coverage = coverageDirectory.map {
            CoverageCollector(
                directory: $0, swiftPath: package.toolchain.swiftPath, layout: built.layout, root: configuration.packagePath,
                model: package.model, processes: processes)
        }
        let runner = TargetRunner(
            configuration: configuration, built: built, selection: selection,
            processes: processes, clock: services.clock, monotonicNow: services.monotonicNow, stream: streams ? show : nil, tracing: tracing,
            eventsDirectory: eventsDirectory, coverage: coverage, quarantine: package.settings.quarantine)
        // No live status while test output streams to the terminal: the two would overwrite each other.
        let scheduler = TargetScheduler(jobs: configuration.test.jobs, status: streams ? nil : status)
        let history = timings(package)
        var outcome = RunOutcome()
        // Under Swift Build with every test selected, each runner runs whole, as `swift test` runs it: no
        // listing first.
        let whole = !configuration.test.list && selection.isEverything
        let clock = services.clock
        await scheduler.run(plans, { target in
            if runsWhole { return await runner.run(target.plan.target, tests: .ownMain) }
            let perTarget = perTest.flatMap { cache -> PerTestCache? in
                guard let reason = cache.wholeOnlyReason(target) else { return cache }
                log.target(target.plan.target.name, "cached whole, not per test: \(reason)")
                return nil
            }
            var inventory = shared
            if inventory == nil {
                let binary = built.binary(for: target.plan.target)
                if whole && perTarget == nil {
                    return await runner.run(target.plan.target, tests: .wholeRunner { try await probe.listTests(binary) })
                }
                do {
                    inventory = try await probe.listTests(binary)
                } catch {
                    var result = TargetResult(name: target.plan.target.name, status: .setupFailed)
                    result.output = Array("*** cannot list the tests of \(binary): \(error)\n".utf8)
                    return TargetRun(result: result, streamed: false)
                }
            }
            guard let inventory else { return TargetRun(result: TargetResult(name: target.plan.target.name, status: .setupFailed)) }
            if let perTarget, let plan = await perTarget.plan(target, inventory: inventory) {
                return await perTarget.run(target, plan: plan, inventory: inventory, runner: runner, now: clock())
            }
            return await runner.run(target.plan.target, tests: .listed(inventory))
        }) { target, run in
            if run.result.status.isFailure { outcome.failed = true }
            if let plan = run.perTest, plan.verifying {
                let fresh = Dictionary(run.result.tests.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
                for replayed in plan.replayed {
                    outcome.verified += 1
                    if fresh[replayed.id] == .failed {
                        outcome.unsound += 1
                        log.note("verify: \(target.plan.target.name): unsound hit: \(replayed.id) was replayed as passed by its own key, "
                            + "but a fresh run of the whole target fails it")
                    }
                }
            }
            if let replayed = target.replayed {
                outcome.verified += 1
                if run.result.status.isFailure && !replayed.result.status.isFailure {
                    outcome.unsound += 1
                    reportUnsound(target.plan.target, replayed: replayed, fresh: run.result)
                }
            }
            if let readings { storing?.store(run, of: target, baseline: baseline, readings: readings, builtIn: built.buildDirectory) }
            recordTimings(run.result, history: history, selection: selection)
            await reporter.deliver(target.plan.index, run.result, streamed: run.streamed)
        }
        return outcome
    }

    /// Says that the cache would have replayed a pass that a fresh run fails, and what it was keyed on.
    func reportUnsound(_ target: PackageTarget, replayed: Replayed, fresh: TargetResult) {
        log.note("verify: \(target.name): unsound hit: the cache would have replayed a passing result "
            + "by its \(replayed.key), but a fresh run fails")
        if let inputs = replayed.inputs {
            log.note("verify: \(target.name): beyond its sources it was keyed on files \(inputs.files), directories \(inputs.directories), "
                + "variables \(inputs.variables)\(inputs.wholeEnvironment ? " and the whole environment" : ""), products \(inputs.products), "
                + "headers \(inputs.build.compilerFiles), plugin inputs \(inputs.build.pluginInputs), linker inputs \(inputs.build.linkerInputs)")
        }
    }
}
