#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TestCacheStore

/// Runs one test target's tests from the package's single test binary.
struct TargetRunner: Sendable {
    let configuration: EngineConfiguration
    let binary: String
    let inventory: TestInventory
    let selection: TestSelection
    let processes: any ProcessRunning
    /// Wall-clock time, to stamp when a run started.
    let clock: @Sendable () -> Int64
    let stream: (@Sendable ([UInt8]) -> Void)?
    /// The read tracer and the directory its logs go to, one per target; nil runs untraced.
    let tracing: (library: String, directory: String)?

    /// Runs the selected tests of `target`, each testing library's in a process of its own.
    func run(_ target: PackageTarget) async -> TargetRun {
        let module = target.moduleName
        let allXCTest = inventory.xctest[module] ?? []
        let allSwiftTesting = inventory.swiftTesting[module] ?? []
        var run = TargetRun(result: TargetResult(name: target.name, status: .passed, duration: .zero), streamed: stream != nil)
        guard !allXCTest.isEmpty || !allSwiftTesting.isEmpty else {
            run.result.status = .noTestFiles
            run.storable = true
            return run
        }
        let xctest = allXCTest.filter(selection.selects)
        let swiftTesting = allSwiftTesting.filter(selection.selects)
        if configuration.test.list {
            run.result.output = Array((xctest + swiftTesting).map { $0 + "\n" }.joined().utf8)
            run.storable = true
            return run
        }
        guard !xctest.isEmpty || !swiftTesting.isEmpty else {
            run.result.status = .noTestsToRun
            run.storable = true
            return run
        }

        var invocations = xctest.isEmpty ? [] : xctestSelections(xctest, allOfModule: allXCTest)
        if !swiftTesting.isEmpty {
            let filters = selection.isEverything
                ? ["--filter", "^" + regexLiteral(module) + "\\."]
                : swiftTesting.flatMap { ["--filter", "^" + regexLiteral($0)] }
            invocations.append(["--testing-library", "swift-testing"] + filters)
        }
        var environment = configuration.environment
        // As `swift test` does: no colour codes in output that is not going to a terminal.
        if !configuration.outputIsTerminal { environment["NO_COLOR"] = "1" }
        let log = tracing.map { "\($0.directory)/\(target.name).log" }
        if let tracing, let log {
            TraceLog.preload(tracing.library, log: log, into: &environment)
        }

        run.started = clock()
        let start = ContinuousClock.now
        var truncated = false
        runs: for _ in 0..<(configuration.test.count ?? 1) {
            for arguments in invocations {
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
                    run.result.output += process.output
                    truncated = truncated || process.truncated
                    if process.timedOut {
                        note("*** Test killed: ran too long (\(goDuration(configuration.test.timeout))).", &run.result)
                        run.result.status = .failed
                        break runs
                    }
                    switch process.termination {
                    case .exited(0): break
                    case .exited: run.result.status = .failed
                    case .signaled:
                        note("*** Test binary terminated by \(process.termination).", &run.result)
                        run.result.status = .failed
                    }
                } catch {
                    note("\(EngineLog.prefix)cannot run \(executable): \(error)", &run.result)
                    run.result.status = .failed
                    break runs
                }
            }
        }
        run.result.duration = ContinuousClock.now - start
        run.storable = run.result.status == .passed && !truncated
        if let log {
            // Every traced process logs the runtime's own getenv calls; no log means the tracer did not
            // load, and what the run read is unknown: not storable.
            if let bytes = FileSystem.contents(log) {
                run.trace = TraceLog(parsing: bytes)
                unlink(log)
            } else {
                run.storable = false
            }
        }
        return run
    }

    /// Adds a line of the tool's own to a target's output (and to the live stream).
    private func note(_ line: String, _ result: inout TargetResult) {
        if let last = result.output.last, last != UInt8(ascii: "\n") { result.output.append(UInt8(ascii: "\n")) }
        let bytes = Array((line + "\n").utf8)
        result.output += bytes
        stream?(bytes)
    }
}
