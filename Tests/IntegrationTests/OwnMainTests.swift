import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// A package whose own test entry point is a runner of its own that answers none of XCTest's options
    /// (Fixtures/OwnMain, shaped like Spectre's): the tool cannot list its tests, so it runs the binary as
    /// `swift test` does, with no arguments, takes its exit status for the verdict and caches the target
    /// whole. Native only: Swift Build does not take a hand-written entry point.
    @Suite struct OwnMain {
        @Test func aMainOfThePackagesOwnRunsWholeAsSwiftTestRunsIt() throws {
            let fixture = try Fixture("OwnMain")
            let environment = ["SWIFT_TESTCACHE_DEBUG": "test"]
            func edit(_ file: String, _ old: String, _ new: String) throws {
                let text = try String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)
                #expect(text.contains(old), "\(file) holds \(old)")
                try fixture.write(file, text.replacingOccurrences(of: old, with: new))
            }

            // Cold: the listing is refused (exit 4), so the binary runs whole and passes, as under `swift test`.
            var result = try fixture.run([], environment: environment)
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 1 && isFreshPass(result.summaries[0], "AdderChecks"), result.transcript)
            #expect(result.stderr.contains("is the package's own, so each target runs it whole"), result.transcript)
            let swiftTest = try runProgram("/usr/bin/env", ["swift", "test", "--package-path", fixture.root])
            #expect(swiftTest.status == 0 && swiftTest.stdout.contains("2 passes and 0 failures"), swiftTest.transcript)

            result = try fixture.run([], environment: environment)
            #expect(result.status == 0 && result.summaries == ["ok  \tAdderChecks\t(cached)"], result.transcript)

            // A library edit that breaks a check fails the target, twice in a row, as `--count 1` and `swift test` do.
            try edit("Sources/Adder/Adder.swift", "a + b", "a + b + (a == 0 ? 1 : 0)")
            for _ in 0..<2 {
                result = try fixture.run(["-v"], environment: environment)
                #expect(result.status == 1 && result.summaries.first.map { isFailure($0, "AdderChecks") } == true, result.transcript)
                #expect(result.stdout.contains("FAIL: adds zero"), result.transcript)
            }
            let count = try fixture.run(["--count", "1"])
            #expect(count.status == 1 && count.summaries.first.map { isFailure($0, "AdderChecks") } == true, count.transcript)
            let failing = try runProgram("/usr/bin/env", ["swift", "test", "--package-path", fixture.root])
            #expect(failing.status != 0 && failing.stdout.contains("1 passes and 1 failures"), failing.transcript)

            // A main that ignores its arguments lists nothing (and ran its checks): it too runs whole.
            try edit("Sources/Adder/Adder.swift", "a + b + (a == 0 ? 1 : 0)", "a + b")
            try fixture.write("lenient", "")
            result = try fixture.run([], environment: environment)
            #expect(result.status == 0 && result.summaries.count == 1 && isFreshPass(result.summaries[0], "AdderChecks"), result.transcript)
            #expect(result.stderr.contains("listed no tests: each target runs it whole"), result.transcript)
            result = try fixture.run([])
            #expect(result.status == 0 && result.summaries == ["ok  \tAdderChecks\t(cached)"], result.transcript)
        }
    }
}
