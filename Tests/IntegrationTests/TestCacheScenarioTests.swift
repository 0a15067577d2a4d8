import Foundation
import Testing
import _TestSupport

/// The integration tests build real packages; they run one at a time so that two builds never share the
/// machine's two cores.
@Suite(.serialized) struct IntegrationTests {}

extension IntegrationTests {
    /// The seed's TestTestCache, for SwiftPM: INITIAL, REPEAT, COMMENT (a comment-only edit replayed
    /// through the content ID), a build error, CHANGE, and a second checkout; under both build systems, the
    /// comment and the build error natively only.
    @Suite struct TestCacheScenario {
        @Test(arguments: ["native", "swiftbuild"])
        func initialRepeatCommentBuildErrorChangeAndAnotherCheckout(buildSystem: String) throws {
            let fixture = try Fixture("TestCache", buildSystem: buildSystem)

            // INITIAL: everything is built and run.
            var result = try fixture.run("-x")
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 4, result.transcript)
            for (line, name) in zip(result.summaries, ["T1Tests", "T2Tests", "T3Tests", "T4Tests"]) {
                #expect(isFreshPass(line, name), result.transcript)
            }
            #expect(result.ranBuild && result.ranTests, result.transcript)

            // REPEAT: everything is replayed; nothing is built or run.
            result = try fixture.run("-x")
            #expect(result.status == 0, result.transcript)
            #expect(result.lines == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)", "ok  \tT3Tests\t(cached)", "ok  \tT4Tests\t(cached)"], result.transcript)
            #expect(!result.ranBuild && !result.ranTests, result.transcript)
            #expect(!result.stderr.contains("swift"), result.transcript)

            // COMMENT: P1's text changes but not what it compiles to (`1` → `01`, then a comment line). The
            // action IDs of T2–T4 miss, so the package is rebuilt; their content IDs hit, so no test runs.
            // Natively only, for CI's 15 minutes: under Swift Build a rebuild whose objects come out the same
            // is replayed in PerTestResults.underSwiftBuildTheRunnersTestListTiesNoTests.
            let edits = ["public let x = 01\n", "// The value the tests check.\npublic let x = 01\n"]
            for text in buildSystem == "swiftbuild" ? [] : edits {
                try fixture.write("Sources/P1/P1.swift", text)
                result = try fixture.run("-x")
                #expect(result.status == 0, result.transcript)
                #expect(result.lines == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)", "ok  \tT3Tests\t(cached)", "ok  \tT4Tests\t(cached)"], result.transcript)
                #expect(result.ranBuild && !result.ranTests, result.transcript)
                // A content hit is filed under the new action ID too: the next run does not even build.
                result = try fixture.run("-x")
                #expect(result.lines.allSatisfy { $0.hasSuffix("(cached)") } && !result.ranBuild, result.transcript)
            }

            // BUILD ERROR in P1: T1 does not depend on it and stays cached; the three that do cannot be
            // built. The compiler's diagnostics are shown once for the build, not once per target
            // (SwiftPM itself reports each diagnostic from two jobs, emit-module and compile). Natively only:
            // a failed build is the build system's exit status and output either way.
            if buildSystem == "native" {
                try fixture.write("Sources/P1/P1.swift", "public let x: Int = \"not a number\"\n")
                result = try fixture.run()
                #expect(result.status == 1, result.transcript)
                #expect(result.lines == ["ok  \tT1Tests\t(cached)", "FAIL\tT2Tests [build failed]", "FAIL\tT3Tests [build failed]", "FAIL\tT4Tests [build failed]"], result.transcript)
                let diagnostics = result.stderr.components(separatedBy: "P1.swift:1:21: error: cannot convert").count - 1
                #expect((1...2).contains(diagnostics), result.transcript)
                try fixture.write("Sources/P1/P1.swift", "public let x = 1\n")
            }

            // CHANGE: a value in P1. T1 does not depend on it and stays cached. T2 and T4 link P1 but no
            // code of theirs reaches `x`, so what they can run is unchanged and they stay cached, as in
            // Go. T3 checks the value and now fails: never a cached ok.
            try fixture.write("Sources/P1/P1.swift", "public let x = 2\n")
            result = try fixture.run("-x")
            #expect(result.status == 1, result.transcript)
            #expect(result.summaries.count == 4, result.transcript)
            #expect(result.summaries.first == "ok  \tT1Tests\t(cached)", result.transcript)
            #expect(result.summaries[1] == "ok  \tT2Tests\t(cached)", result.transcript)
            #expect(isFailure(result.summaries[2], "T3Tests"), result.transcript)
            #expect(result.summaries[3] == "ok  \tT4Tests\t(cached)", result.transcript)
            #expect(result.stdout.contains("x is 2"), "the failing target's output is shown: \(result.transcript)")
            #expect(result.stdout.contains("XCTAssertEqual failed"), result.transcript)
            #expect(result.stdout.contains("Expectation failed"), result.transcript)
            #expect(result.ranBuild, result.transcript)

            // REPEAT after CHANGE: failures are not stored, so T3 runs and fails again (the same under
            // either build system: natively only).
            if buildSystem == "native" {
                result = try fixture.run()
                #expect(result.status == 1, result.transcript)
                #expect(isFailure(result.summaries[2], "T3Tests"), result.transcript)
                #expect(result.summaries.filter { $0.hasSuffix("(cached)") }.count == 3, result.transcript)
            }

            // Back to the original value: every result stored for it is valid again.
            try fixture.write("Sources/P1/P1.swift", "public let x = 1\n")
            result = try fixture.run("-x")
            #expect(result.status == 0, result.transcript)
            #expect(result.lines == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)", "ok  \tT3Tests\t(cached)", "ok  \tT4Tests\t(cached)"], result.transcript)
            #expect(!result.ranBuild, result.transcript)

            // ANOTHER CHECKOUT of the same sources at another path, sharing the store: keys do not depend
            // on where the package is, so its first run replays everything without building.
            let other = try Fixture("TestCache", checkout: "elsewhere", buildSystem: buildSystem)
            result = try other.run("-x", store: fixture.store)
            #expect(result.status == 0, result.transcript)
            #expect(result.lines == ["ok  \tT1Tests\t(cached)", "ok  \tT2Tests\t(cached)", "ok  \tT3Tests\t(cached)", "ok  \tT4Tests\t(cached)"], result.transcript)
            #expect(!result.ranBuild, result.transcript)
        }
    }
}
