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

        /// A test that passes alone but fails after another in one process is not run alone because it
        /// failed: nothing it reaches changed, so the whole target runs again, as `swift test` runs it, and
        /// fails again, rather than passing alone and replaying the others.
        @Test func aTestThatFailsOnlyAfterAnotherIsRunWithIt() throws {
            let fixture = try Fixture("Warnings")
            let environment = ["SWIFT_TESTCACHE_DEBUG": "test"]
            for run in 0..<3 {
                let result = try fixture.run(["OrderTests"], environment: environment)
                #expect(result.status == 1 && result.summaries.first.map { isFailure($0, "OrderTests") } == true, "run \(run): \(result.transcript)")
                if run > 0 {
                    #expect(result.stderr.contains("the target runs whole: OrderTests.OrderTests/testBStartsUncalibrated runs again under the key it failed with"),
                            result.transcript)
                }
            }
            let count = try fixture.run(["--count", "1", "OrderTests"])
            #expect(count.status == 1 && count.summaries.first.map { isFailure($0, "OrderTests") } == true, count.transcript)
        }
    }
}
