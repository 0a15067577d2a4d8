import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Swift Testing's warning issues (Fixtures/Warnings): the tool runs Swift Testing as `swift test` does,
    /// with warnings on, so a test that handles the warnings it records passes, and a warning fails nothing,
    /// per test or whole.
    @Suite struct Warnings {
        @Test(arguments: ["native", "swiftbuild"])
        func aWarningIsSaidAndFailsNothing(buildSystem: String) throws {
            let fixture = try Fixture("Warnings", buildSystem: buildSystem)
            var result = try fixture.run(["-v", "GaugeTests"])
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 1 && isFreshPass(result.summaries[0], "GaugeTests"), result.transcript)
            #expect(result.stdout.contains("reading 12 is high"), result.transcript)
            let count = try fixture.run(["--count", "1", "GaugeTests"])
            #expect(count.status == 0 && count.summaries.first.map { isFreshPass($0, "GaugeTests") } == true, count.transcript)

            result = try fixture.run(["-v", "GaugeTests"])
            #expect(result.status == 0 && result.summaries == ["ok  \tGaugeTests\t(cached)"], result.transcript)

            // A library edit reruns both tests one by one: each passes again, and is stored again.
            let source = fixture.root + "/Sources/Gauge/Gauge.swift"
            try fixture.write("Sources/Gauge/Gauge.swift", try String(contentsOfFile: source, encoding: .utf8) + "\n// a comment\npublic let limit = 10\n")
            result = try fixture.run(["--json", "GaugeTests"])
            #expect(result.status == 0, result.transcript)
            #expect(result.stdout.contains("\"Test\":\"GaugeTests.seesTheWarningsItHandles()\"") && !result.stdout.contains("\"Action\":\"fail\""),
                    result.transcript)
        }

        /// A test that passes alone but fails after another in one process is not given a pass alone:
        /// nothing it reaches changed since it failed, so its pass without the other sends the whole target
        /// to run again, as `swift test` runs it, and the target fails every time, as under `--count 1`.
        /// Once its own code changes, it runs alone for that change.
        @Test func aTestThatFailsOnlyAfterAnotherIsRunWithIt() throws {
            let fixture = try Fixture("Warnings")
            let environment = ["SWIFT_TESTCACHE_DEBUG": "test"]
            let whole = "the target runs whole: OrderTests.OrderTests/testBStartsUncalibrated failed beside the others under the key it has now"
            for run in 0..<3 {
                let result = try fixture.run(["OrderTests"], environment: environment)
                #expect(result.status == 1 && result.summaries.first.map { isFailure($0, "OrderTests") } == true, "run \(run): \(result.transcript)")
                #expect(result.stderr.contains(whole) == (run > 0), "run \(run): \(result.transcript)")
            }
            let count = try fixture.run(["--count", "1", "OrderTests"])
            #expect(count.status == 1 && count.summaries.first.map { isFailure($0, "OrderTests") } == true, count.transcript)

            // The test is made to reset what it checks: its key changes, it runs alone, passes, and the
            // other test is replayed; then everything is cached, and swift test agrees.
            let path = fixture.root + "/Tests/OrderTests/OrderTests.swift"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try fixture.write("Tests/OrderTests/OrderTests.swift",
                              text.replacingOccurrences(of: "XCTAssertEqual(calibrations, 0)", with: "calibrations = 0\n        XCTAssertEqual(calibrations, 0)"))
            let fixed = try fixture.run(["OrderTests"], environment: environment)
            #expect(fixed.status == 0 && fixed.summaries.first?.hasSuffix("(1 of 2 tests cached)") == true && !fixed.stderr.contains("runs whole"), fixed.transcript)
            let cached = try fixture.run(["OrderTests"])
            #expect(cached.status == 0 && cached.summaries == ["ok  \tOrderTests\t(cached)"], cached.transcript)
            let fresh = try fixture.run(["--count", "1", "OrderTests"])
            #expect(fresh.status == 0, fresh.transcript)
        }
    }
}
