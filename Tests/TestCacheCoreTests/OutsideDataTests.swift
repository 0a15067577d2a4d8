import Foundation
import Testing
@testable import TestCacheCore
import TestCacheReports
import TestCacheStore
import _TestSupport

/// Data from outside the tool (a manifest being typed, a file's date, a test's output, a stored record, an
/// option's value) that once trapped the process: each is now a handled case.
@Suite struct OutsideDataTests {
    /// A manifest saved half-typed, ending in a helper's call right after its label: read, not a trap.
    @Test func aManifestThatEndsInsideAHelpersCallIsRead() {
        let manifest = """
            func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
            let package = Package(name: env(name:
            """
        let reads = ManifestEnvironmentReads(manifest: manifest)
        #expect(reads.names.isEmpty)
    }

    /// A file dated past what Int64 nanoseconds count (after 2262) has the latest time there is.
    @Test func aFileDatedAfter2262HasTheLatestTime() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/future.swift"
        FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        // 2300-01-01: 10 413 792 000 seconds after the epoch.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 10_413_792_000)], ofItemAtPath: path)
        #expect(FileSystem.status(atPath: path)?.modified == Int64.max)
        #expect(FileStatus.nanoseconds(-10_413_792_000, 0) == Int64.min)
        #expect(FileStatus.nanoseconds(2, 5) == 2_000_000_005)
    }

    /// A duration no Int64 of milliseconds holds is refused, like one that does not parse.
    @Test(arguments: ["10000000000000h", "9300000000000000s", String(repeating: "9", count: 400) + "s"])
    func aDurationTooLongToCountIsRefused(_ text: String) {
        #expect(parseGoDuration(text) == nil)
    }

    /// A test that prints a time of its own that no report can count is held to the bounds.
    @Test func aTestsTimeThatIsNotANumberOrInfiniteIsBounded() {
        let output = """
            Test Case 'C.testA' started at 2026-12-07 04:00:00.000
            Test Case 'C.testA' passed (nan seconds)
            Test Case 'C.testB' started at 2026-12-07 04:00:00.000
            Test Case 'C.testB' passed (1e300 seconds)
            Test Case 'C.testC' started at 2026-12-07 04:00:00.000
            Test Case 'C.testC' passed (-inf seconds)

            """
        let tests = XCTestOutput.parse(output, module: "M")
        #expect(tests.map(\.elapsed) == [0, Seconds.most, 0])
        #expect(RunTally.describe(seconds: .infinity) == RunTally.describe(seconds: Seconds.most))
        #expect(RunTally.describe(seconds: .nan) == "0s")
    }

    /// A stored record whose duration is past any count replays with the longest duration, not a trap.
    @Test func aStoredDurationPastAnyCountReplaysBounded() {
        var result = TargetResult(name: "T", status: .passed)
        result.storedDetails = Array(#"{"duration":1e300,"tests":[]}"#.utf8)[...]
        result.loadStoredDetails()
        #expect(result.duration == .seconds(Int64(Seconds.most)))
    }
}
