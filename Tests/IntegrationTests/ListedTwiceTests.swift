import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// A package whose own test entry point lists a test twice (Fixtures/ListedTwice): the tool runs what
    /// `swift test` runs, as often, keys each test once, and stores a test's pass only when every run of it
    /// passed. Native only: Swift Build does not take a hand-written entry point.
    @Suite struct ListedTwice {
        @Test func aTestListedTwiceRunsTwiceAndIsCachedOnce() throws {
            let fixture = try Fixture("ListedTwice")
            let log = fixture.temporary.path + "/ran.log"
            let environment = ["LISTED_LOG": log, "SWIFT_TESTCACHE_DEBUG": "test"]

            /// What ran since the log was emptied, one name a run, sorted.
            func ran() -> [String] {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
            }
            func run(_ arguments: String...) throws -> (result: ProcessResult, ran: [String]) {
                FileManager.default.createFile(atPath: log, contents: Data())
                let result = try fixture.run(arguments, environment: environment)
                return (result, ran())
            }
            func edit(_ file: String, _ old: String, _ new: String) throws {
                let text = try String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)
                #expect(text.contains(old), "\(file) holds \(old)")
                try fixture.write(file, text.replacingOccurrences(of: old, with: new))
            }
            let twice = ["testCount", "testSecondRun", "testSecondRun", "testShout", "testShout"]

            // Cold: no crash; ShoutTests' tests run twice each, and Swift Testing's test not at all.
            var (result, tests) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 2 && isFreshPass(result.summaries[0], "WordsTests") && isFreshPass(result.summaries[1], "CountTests"), result.transcript)
            #expect(tests == twice, result.transcript)
            #expect(result.stderr.contains("main is Tests/LinuxMain.swift"), result.transcript)
            // `swift test` runs the same tests, as many times.
            FileManager.default.createFile(atPath: log, contents: Data())
            let swiftTest = try runProgram("/usr/bin/env", ["swift", "test", "--package-path", fixture.root],
                                           environment: ProcessInfo.processInfo.environment.merging(["LISTED_LOG": log]) { $1 })
            #expect(swiftTest.status == 0 && ran() == twice, swiftTest.transcript)

            (result, tests) = try run()
            #expect(result.status == 0 && tests.isEmpty, result.transcript)
            #expect(result.summaries == ["ok  \tWordsTests\t(cached)", "ok  \tCountTests\t(cached)"], result.transcript)

            // testSecondRun now fails on its second run in the process: the target fails, and the first
            // run's pass is not stored, so the next run runs it again and fails again (not a replayed `ok`).
            try fixture.write("second-run-fails", "")
            for _ in 0..<2 {
                (result, tests) = try run()
                #expect(result.status == 1, result.transcript)
                #expect(result.summaries.first?.hasPrefix("FAIL\tWordsTests\t") == true, result.transcript)
                #expect(tests.filter { $0 == "testSecondRun" }.count == 2, result.transcript)
                #expect(result.summaries.last == "ok  \tCountTests\t(cached)", result.transcript)
                let count = try fixture.run(["--count", "1"], environment: environment)
                #expect(count.status == 1 && count.summaries.first.map { isFailure($0, "WordsTests") } == true, count.transcript)
            }
            try FileManager.default.removeItem(atPath: fixture.root + "/second-run-fails")
            (result, tests) = try run()
            #expect(result.status == 0 && tests.isEmpty, result.transcript)

            // The entry point decides what runs, so it is keyed: listed once, ShoutTests' tests run once.
            try edit("Tests/LinuxMain.swift", "[testCase(ShoutTests.allTests), ", "[")
            let why = try fixture.run("WordsTests", command: "explain").stdout
            #expect(why.contains("test entry point Tests/LinuxMain.swift, which decides what the test binary runs, changed"), "\(why)")
            (result, tests) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(tests == ["testCount", "testSecondRun", "testShout"], result.transcript)

            // Without it, tests are discovered, and Swift Testing's runs too. SwiftPM 6.3.1 does not see an
            // entry point go until its build plan is made again ("missing inputs: Tests/LinuxMain.swift", from
            // `swift build` as from the tool): a newer manifest makes it so, as a user would.
            try FileManager.default.removeItem(atPath: fixture.root + "/Tests/LinuxMain.swift")
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(2)], ofItemAtPath: fixture.root + "/Package.swift")
            (result, tests) = try run()
            #expect(result.status == 0, result.transcript)
            #expect(tests == ["countsNothing", "testCount", "testSecondRun", "testShout"], result.transcript)
            let count = try fixture.run(["--count", "1"], environment: environment)
            #expect(count.status == 0 && count.summaries.count == 2 && isFreshPass(count.summaries[1], "CountTests"), count.transcript)
        }
    }
}
