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
            var result = try fixture.run(["-v"])
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 1 && isFreshPass(result.summaries[0], "GaugeTests"), result.transcript)
            #expect(result.stdout.contains("reading 12 is high"), result.transcript)
            let count = try fixture.run(["--count", "1"])
            #expect(count.status == 0 && count.summaries.first.map { isFreshPass($0, "GaugeTests") } == true, count.transcript)

            result = try fixture.run(["-v"])
            #expect(result.status == 0 && result.summaries == ["ok  \tGaugeTests\t(cached)"], result.transcript)

            // A library edit reruns both tests one by one: each passes again, and is stored again.
            let source = fixture.root + "/Sources/Gauge/Gauge.swift"
            try fixture.write("Sources/Gauge/Gauge.swift", try String(contentsOfFile: source, encoding: .utf8) + "\n// a comment\npublic let limit = 10\n")
            result = try fixture.run(["--json"])
            #expect(result.status == 0, result.transcript)
            #expect(result.stdout.contains("\"Test\":\"GaugeTests.seesTheWarningsItHandles()\"") && !result.stdout.contains("\"Action\":\"fail\""),
                    result.transcript)
        }
    }
}
