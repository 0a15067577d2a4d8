import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheRemote
import TestCacheReports
import TestCacheStore

/// Options of the test run; their help and what each means for the cache come from ``TestOption``.
struct TestOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(TestOption.filter.help))
    var filter: [String] = []

    @Option(help: ArgumentHelp(TestOption.skip.help))
    var skip: [String] = []

    @Flag(name: [.short, .long], help: ArgumentHelp(TestOption.verbose.help))
    var verbose = false

    @Flag(help: ArgumentHelp(TestOption.list.help))
    var list = false

    @Option(name: [.short, .long], help: ArgumentHelp(TestOption.jobs.help))
    var jobs: Int?

    @Option(help: ArgumentHelp(TestOption.timeout.help))
    var timeout: String = goDuration(TestOptions.defaultTimeout)

    @Option(help: ArgumentHelp(TestOption.count.help))
    var count: Int?

    @Flag(help: ArgumentHelp(TestOption.noCache.help))
    var noCache = false

    @Flag(name: .customShort("x"), help: ArgumentHelp(TestOption.printCommands.help))
    var printCommands = false

    @Flag(help: ArgumentHelp(TestOption.verify.help))
    var verify = false

    @Option(help: ArgumentHelp(TestOption.exec.help))
    var exec: String?

    @Option(help: ArgumentHelp(TestOption.retries.help, valueName: "n"))
    var retries: Int = 0

    @Option(help: ArgumentHelp(TestOption.flakyResult.help, valueName: "pass|fail"))
    var flakyResult: FlakyResult = .pass

    @Flag(help: ArgumentHelp(TestOption.rerunFailed.help))
    var rerunFailed = false

    @Option(help: ArgumentHelp(TestOption.partition.help, valueName: "kind:K/N"))
    var partition: String?

    @Flag(help: ArgumentHelp(TestOption.json.help))
    var json = false

    @Option(help: ArgumentHelp(TestOption.junitXML.help, valueName: "file"))
    var junitXml: String?

    @Flag(help: ArgumentHelp(TestOption.noAnnotations.help))
    var noAnnotations = false

    @Option(help: ArgumentHelp(TestOption.coverageOutput.help, valueName: "file"))
    var coverageOutput: String?

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(TestOption.xctest.help))
    var xctest = true

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(TestOption.swiftTesting.help))
    var swiftTesting = true

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(BuildOption.testableImports.help))
    var testableImports: Bool?

    @Flag(inversion: .prefixedEnableDisable, help: ArgumentHelp(BuildOption.codeCoverage.help))
    var codeCoverage = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        guard parseGoDuration(timeout) != nil else {
            throw ValidationError("--timeout takes a duration such as 90s, 10m or 1h30m, not '\(timeout)'")
        }
        guard retries >= 0 else { throw ValidationError("--retries must be at least 0") }
        if let partition {
            do { _ = try TargetPartition(parsing: partition) } catch { throw ValidationError(error.message) }
        }
        for (option, path) in [(TestOption.junitXML, junitXml), (.coverageOutput, coverageOutput)] {
            if let path, let problem = JUnitObserver.problem(writing: path, for: option.rawValue) { throw ValidationError(problem) }
        }
    }

    func options() throws -> TestOptions {
        var options = TestOptions()
        options.filters = filter
        options.skips = skip
        options.verbose = verbose
        options.list = list
        if let jobs { options.jobs = jobs }
        options.timeout = parseGoDuration(timeout) ?? TestOptions.defaultTimeout
        options.count = count
        options.noCache = noCache
        options.printCommands = printCommands
        options.verify = verify
        options.execWrapper = exec.map { $0.split(separator: " ").map(String.init) } ?? []
        options.retries = retries
        options.flakyFails = flakyResult == .fail
        options.rerunFailed = rerunFailed
        options.xctest = xctest
        options.swiftTesting = swiftTesting
        options.partition = try partition.map { try TargetPartition(parsing: $0) }
        return options
    }
}

/// `--flaky-result`'s values.
enum FlakyResult: String, ExpressibleByArgument, CaseIterable {
    case pass, fail
}
