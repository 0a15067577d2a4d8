import Foundation
import Testing
@testable import TestCacheCore
import TestCacheReports
import _TestSupport

@Suite struct FormattingTests {
    @Test(arguments: [
        (Duration.seconds(600), "10m0s"), (.seconds(90), "1m30s"), (.seconds(5), "5s"), (.milliseconds(1_500), "1.5s"),
        (.milliseconds(250), "250ms"), (.seconds(3_661), "1h1m1s"), (.milliseconds(1_250), "1.25s"),
    ])
    func goDurations(_ duration: Duration, _ expected: String) {
        #expect(goDuration(duration) == expected)
    }

    @Test func summaryTimesHaveThreeDecimals() {
        #expect(summaryTime(.milliseconds(1_204)) == "1.204s")
        #expect(summaryTime(.milliseconds(5)) == "0.005s")
        #expect(summaryTime(.zero) == "0.000s")
        #expect(summaryTime(.seconds(61)) == "61.000s")
    }

    @Test func summaryLines() {
        var result = TargetResult(name: "CoreTests", status: .passed, duration: .milliseconds(1_204))
        #expect(result.summaryLine == "ok  \tCoreTests\t1.204s")
        result.cached = true
        #expect(result.summaryLine == "ok  \tCoreTests\t(cached)")
        result.status = .noTestsToRun
        #expect(result.summaryLine == "ok  \tCoreTests\t(cached) [no tests to run]")
        #expect(TargetResult(name: "T", status: .noTestFiles).summaryLine == "?   \tT\t[no test files]")
        #expect(TargetResult(name: "T", status: .failed, duration: .milliseconds(456)).summaryLine == "FAIL\tT\t0.456s")
        #expect(TargetResult(name: "T", status: .buildFailed).summaryLine == "FAIL\tT [build failed]")
        #expect(TargetResult(name: "T", status: .setupFailed).summaryLine == "FAIL\tT [setup failed]")
    }
}

@Suite struct ResultRecordTests {
    @Test func passingResultsRoundTripWithTheirExactOutput() throws {
        let output: [UInt8] = Array("line one\n\u{1B}[0mcolour\nno newline at end".utf8) + [0, 255]
        for status in [TargetStatus.passed, .noTestsToRun, .noTestFiles] {
            let record = try #require(ResultRecord.encode(TargetResult(name: "T", status: status, output: output)))
            let decoded = try #require(ResultRecord.decode(record, name: "T"))
            #expect(decoded.status == status)
            #expect(decoded.output == output)
            #expect(decoded.cached)
        }
    }

    @Test func theTimeAndTestsComeBackWhenAsked() throws {
        let tests = [
            TestCaseResult(id: "T.A/testOne", outcome: .passed, elapsed: 0.25, output: "hi\n"),
            TestCaseResult(id: "T.S/skipped()", outcome: .skipped, skipReason: "off"),
        ]
        let record = try #require(ResultRecord.encode(TargetResult(name: "T", status: .passed, duration: .milliseconds(1_250), tests: tests)))
        var decoded = try #require(ResultRecord.decode(record, name: "T"))
        #expect(decoded.tests.isEmpty && decoded.storedDetails != nil, "left for later")
        // Filed again before they were decoded, they are kept.
        let filedAgain = try #require(ResultRecord.encode(decoded))
        var again = try #require(ResultRecord.decode(filedAgain, name: "T"))
        again.loadStoredDetails()
        decoded.loadStoredDetails()
        for result in [decoded, again] {
            #expect(result.tests == tests && result.duration == .milliseconds(1_250) && result.storedDetails == nil)
        }
    }

    @Test func failuresAndGarbageAreNeverReplayed() throws {
        for status in [TargetStatus.failed, .buildFailed, .setupFailed] {
            let record = try #require(ResultRecord.encode(TargetResult(name: "T", status: status)))
            #expect(ResultRecord.decode(record, name: "T") == nil)
        }
        // Details that cannot be encoded (a time that is not a number) make no record at all.
        let nan = TestCaseResult(id: "T.S/t()", outcome: .passed, elapsed: .nan)
        #expect(ResultRecord.encode(TargetResult(name: "T", status: .passed, tests: [nan])) == nil)
        #expect(ResultRecord.decode([], name: "T") == nil)
        #expect(ResultRecord.decode(Array("stc-test-result 1 ok".utf8), name: "T") == nil)
        #expect(ResultRecord.decode(Array("stc-test-result 3 passed\n".utf8), name: "T") == nil)
        #expect(ResultRecord.decode(Array("stc-test-result 3 passed\nnot json\n".utf8), name: "T") == nil)
        // A record of the version before, whole, is a miss too: its status is spelled the old way.
        #expect(ResultRecord.decode(Array("stc-test-result 2 ok\n{\"seconds\":1,\"tests\":[]}\n".utf8), name: "T") == nil)
        #expect(ResultRecord.decode(Array("stc-test-result 1 ok\n{}\n".utf8), name: "T") == nil, "an older record is a miss")
        #expect(ResultRecord.decode(Array("garbage\nok\n".utf8), name: "T") == nil)
    }
}

@Suite struct SelectionTests {
    @Test func filtersAreAlternativesAndSkipsWin() throws {
        let selection = try TestSelection(filters: ["Alpha", "beta$"], skips: ["Two"])
        #expect(selection.selects("M.AlphaTests/testOne"))
        #expect(selection.selects("M.Suite/beta"))
        #expect(!selection.selects("M.AlphaTests/testTwo"))
        #expect(!selection.selects("M.Gamma/testOne"))
        #expect(!selection.isEverything)
        #expect(try TestSelection(filters: [], skips: []).selects("anything"))
    }

    @Test func aBadExpressionNamesItsOption() {
        #expect {
            try TestSelection(filters: [], skips: ["[unclosed"])
        } throws: { error in
            "\(error)".hasPrefix("--skip '[unclosed' is not a valid regular expression")
        }
    }

    @Test func xctestSelectionsUseWholeClassesWhenTheyCan() {
        let all = ["M.A/test1", "M.A/test2", "M.B/test1", "M.B/test2"]
        #expect(xctestSelections(all, allOfModule: all) == [["M.A,M.B"]])
        #expect(xctestSelections(["M.A/test1", "M.A/test2", "M.B/test2"], allOfModule: all) == [["M.A,M.B/test2"]])
    }

    @Test func longXCTestSelectionsAreSplitBelowTheArgumentLimit() {
        let all = (0..<6_000).map { "Module.Class/testNumber\($0)WithAVeryLongNameIndeed" }
        let selected = all.filter { !$0.hasSuffix("7WithAVeryLongNameIndeed") }
        let chunks = xctestSelections(selected, allOfModule: all)
        #expect(chunks.count > 1)
        #expect(chunks.allSatisfy { $0.count == 1 && $0[0].utf8.count <= 100_000 })
        #expect(chunks.flatMap { $0[0].split(separator: ",").map(String.init) } == selected)
    }

    @Test func regexLiteralsMatchOnlyThemselves() throws {
        let id = "M.Suite/test(x:)"
        let regex = try Regex("^" + regexLiteral(id))
        #expect(id.contains(regex))
        #expect(!"M.SuiteXtest(x:)".contains(regex))
    }

    @Test func listingsAreParsedByModule() {
        let xctest = Array("Listing 3 tests in debug.xctest:\n\nA.C/test1\nA.C/test2\nB.D/testX\n".utf8)
        let inventory = TestInventory.byModule(TestInventory.parseXCTestListing(xctest))
        #expect(inventory == ["A": ["A.C/test1", "A.C/test2"], "B": ["B.D/testX"]])
        let swiftTesting = Array("M.Suite1/again()\nM.doubled()\n".utf8)
        #expect(TestInventory.parseSwiftTestingListing(swiftTesting) == ["M.Suite1/again()", "M.doubled()"])
    }

    /// A package's own entry point can list a test twice: one ID is one test. A binary whose own `main`
    /// answered Swift Testing's listing with XCTest's lists no Swift Testing test; two private tests of one
    /// name are told apart by where they are.
    @Test func aTestListedTwiceIsOneTestAndXCTestsListingIsNotSwiftTestings() {
        let twice = Array("Listing 3 tests in debug.xctest:\n\nA.C/test1\nA.C/test2\nA.C/test1\n".utf8)
        #expect(TestInventory.parseXCTestListing(twice) == ["A.C/test1", "A.C/test2"])
        #expect(TestInventory.parseSwiftTestingListing(twice).isEmpty)
        let located = Array("M.same()/A.swift:8:2\nM.same()/B.swift:3:2\nM.same()/A.swift:8:2\n".utf8)
        #expect(TestInventory.parseSwiftTestingListing(located) == ["M.same()/A.swift:8:2", "M.same()/B.swift:3:2"])
    }

    /// A test one process ran twice is one result: failed if either run failed, its times added, both
    /// runs' output kept, in the place of its first run.
    @Test func repeatedResultsMergeIntoTheWorstOutcome() {
        let runs = [
            TestCaseResult(id: "A.C/t", outcome: .passed, elapsed: 1, output: "one\n"),
            TestCaseResult(id: "A.C/u", outcome: .skipped),
            TestCaseResult(id: "A.C/t", outcome: .failed, elapsed: 2, output: "two\n", failures: [TestFailure(message: "no")]),
            TestCaseResult(id: "A.C/u", outcome: .passed),
        ]
        let merged = TestCaseResult.mergingRepeats(runs)
        #expect(merged.map(\.id) == ["A.C/t", "A.C/u"])
        #expect(merged[0].outcome == .failed && merged[0].elapsed == 3 && merged[0].output == "one\ntwo\n" && merged[0].failures.count == 1)
        #expect(merged[1].outcome == .passed)
        #expect(TestCaseResult.mergingRepeats([runs[1], runs[1]]).map(\.outcome) == [.skipped])
    }
}

/// Where SwiftPM looks for a package's own test entry point.
@Suite struct TestEntryPointTests {
    @Test func searchedBesideEachTestTargetAndUpToTheRoot() {
        let model = PackageModel(
            name: "P",
            targets: [
                PackageTarget(name: "L", moduleName: "L", kind: "library", path: "Sources/L", dependencies: []),
                PackageTarget(name: "T", moduleName: "T", kind: "test", path: "Tests/T", dependencies: []),
                PackageTarget(name: "U", moduleName: "U", kind: "test", path: "Tests/Unit/U", dependencies: []),
                PackageTarget(name: "Out", moduleName: "Out", kind: "test", path: "../Out", dependencies: []),
            ],
            localDependencyPaths: [], hasRemoteDependencies: false)
        #expect(TestEntryPoint.candidates(in: model) == [
            "Tests/XCTMain.swift", "Tests/LinuxMain.swift", "XCTMain.swift", "LinuxMain.swift",
            "Tests/Unit/XCTMain.swift", "Tests/Unit/LinuxMain.swift",
        ])
    }

    @Test func foundOnlyWhereAFileIs() throws {
        let directory = try TemporaryDirectory()
        let model = PackageModel(
            name: "P", targets: [PackageTarget(name: "T", moduleName: "T", kind: "test", path: "Tests/T", dependencies: [])],
            localDependencyPaths: [], hasRemoteDependencies: false)
        try FileManager.default.createDirectory(atPath: directory.path + "/Tests/T", withIntermediateDirectories: true)
        #expect(TestEntryPoint.find(in: model, root: directory.path).isEmpty)
        FileManager.default.createFile(atPath: directory.path + "/Tests/LinuxMain.swift", contents: Data())
        #expect(TestEntryPoint.find(in: model, root: directory.path) == ["Tests/LinuxMain.swift"])
    }
}

/// SwiftPM's refusals of options, told from build failures.
@Suite struct BuildRefusalTests {
    @Test func anErrorBeforeAnyBuildStepIsARefusal() {
        #expect(PackageBuilder.refusal(in: Array("error: no Swift SDK found matching 'x'\n".utf8)) == "no Swift SDK found matching 'x'")
        let compileError = "Building for debugging...\n[1/3] Compiling A a.swift\n/p/a.swift:1:1: error: oops\nerror: fatalError\n"
        #expect(PackageBuilder.refusal(in: Array(compileError.utf8)) == nil)
        #expect(PackageBuilder.refusal(in: Array("warning: something\n".utf8)) == nil)
    }
}

/// The build options' one catalog: what each passes to SwiftPM.
@Suite struct BuildOptionCatalogTests {
    @Test func everyOptionReachesTheBuildAndOnlyThePackageShapingOnesReachSwiftPackage() {
        var options = BuildOptions()
        options.cxxFlags = ["-DX"]
        options.triple = "x86_64-unknown-linux-gnu"
        options.swiftSDK = "sdk"
        options.sanitizers = ["address", "undefined"]
        options.traits = ["Extra", "defaults"]
        options.enableAllTraits = true
        options.testableImports = false
        options.scratchPath = "/p/.build-other"
        #expect(options.swiftBuildArguments == [
            "--configuration", "debug", "--scratch-path", "/p/.build-other", "-Xcxx", "-DX", "--triple", "x86_64-unknown-linux-gnu",
            "--swift-sdk", "sdk", "--sanitize", "address", "--sanitize", "undefined", "--traits", "Extra,defaults",
            "--enable-all-traits", "--disable-testable-imports",
        ])
        #expect(options.packageArguments == ["--scratch-path", "/p/.build-other", "--traits", "Extra,defaults", "--enable-all-traits"])
    }
}
