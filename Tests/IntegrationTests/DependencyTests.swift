import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// A C target and a remote package (swift-log), with no Package.resolved to start from.
    @Suite struct Dependencies {
        @Test func unpinnedDependenciesAreResolvedBeforeKeysAndCHeadersAreInputs() throws {
            let fixture = try Fixture("Dependencies")

            // INITIAL: nothing pins swift-log yet, so it is resolved before any key is made.
            var result = try fixture.run("-x")
            #expect(result.status == 0, result.transcript)
            #expect(isFreshPass(result.summaries.first ?? "", "LogicTests"), result.transcript)
            #expect(result.stderr.contains(" package --package-path \(fixture.root) resolve"), result.transcript)
            #expect(FileManager.default.fileExists(atPath: fixture.root + "/Package.resolved"))

            // REPEAT: the pinned versions are in the key, and nothing at all is run.
            result = try fixture.run("-x")
            #expect(result.lines == ["ok  \tLogicTests\t(cached)"], result.transcript)
            #expect(result.stderr == "", result.transcript)

            // A header of the C target changes what the Swift library computes: the test reruns and fails.
            try fixture.write("Sources/CMath/include/cmath_extra.h", "#define SCALE 4\n\nint scaled(int value);\n")
            result = try fixture.run()
            #expect(result.status == 1, result.transcript)
            #expect(isFailure(result.summaries.first ?? "", "LogicTests"), result.transcript)
            #expect(result.stdout.contains("scaledValue(2) → 8"), result.transcript)
        }
    }
}
