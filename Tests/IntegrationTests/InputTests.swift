import Foundation
import Testing
import _TestSupport

/// What tests read outside their targets, traced: a fixture file, a directory listing, variables read
/// with getenv and with ProcessInfo, a file a child process reads. Changing each reruns exactly the
/// tests that read it (and a test whose expectation now fails reports FAIL); changing anything else
/// keeps every result cached.
@Suite struct InputTests {
    @Test func eachInputAReadRerunsItsTestAndNothingElse() throws {
        let fixture = try Fixture("Inputs")
        let names = ["ReadsFileTests", "ReadsEnvTests", "ReadsProcessInfoTests", "ListsDirectoryTests", "ChildReadsTests", "UnrelatedTests"]

        let first = try fixture.run()
        #expect(first.status == 0, first.transcript)
        for (line, name) in zip(first.summaries, names) { #expect(isFreshPass(line, name), first.transcript) }
        #expect(first.summaries.count == names.count, first.transcript)

        /// Runs with `-x` and checks which targets ran and how: the rest must be `(cached)`.
        func expect(
            _ step: String, fresh: Set<String> = [], failed: Set<String> = [], environment: [String: String] = [:],
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let run = try fixture.run("-x", environment: environment)
            #expect(run.summaries.count == names.count, "\(step)\n\(run.transcript)", sourceLocation: sourceLocation)
            for (line, name) in zip(run.summaries, names) {
                let ok = failed.contains(name) ? isFailure(line, name)
                    : fresh.contains(name) ? isFreshPass(line, name) : line == "ok  \t\(name)\t(cached)"
                #expect(ok, "\(step): \(line)\n\(run.transcript)", sourceLocation: sourceLocation)
            }
            #expect(run.ranTests == !(fresh.isEmpty && failed.isEmpty), "\(step)\n\(run.transcript)", sourceLocation: sourceLocation)
            #expect(run.status == (failed.isEmpty ? 0 : 1), "\(step)\n\(run.transcript)", sourceLocation: sourceLocation)
        }

        try expect("nothing changed")
        try fixture.write("Fixtures/unrelated.txt", "changed, and nobody reads it\n")
        try expect("a file no test reads")
        try fixture.write("Fixtures/expected.txt", "changed\n")
        try expect("the fixture file", failed: ["ReadsFileTests"])
        try fixture.write("Fixtures/expected.txt", "expected\n")
        try expect("the fixture file put back: its passing result for these contents is still stored")
        // Reading ProcessInfo's environment makes every variable an input; so does starting a process
        // with Foundation's Process, which hands the child the whole environment.
        try expect("getenv's variable", fresh: ["ReadsProcessInfoTests", "ChildReadsTests"], failed: ["ReadsEnvTests"],
            environment: ["STC_INPUT_VALUE": "bad"])
        try expect("ProcessInfo's variable", fresh: ["ChildReadsTests"], failed: ["ReadsProcessInfoTests"],
            environment: ["STC_INFO_VALUE": "bad"])
        try expect("variables back as they were")
        try fixture.write("Fixtures/set/c.txt", "c\n")
        try expect("an entry added to a listed directory", failed: ["ListsDirectoryTests"])
        try fixture.write("Fixtures/child.txt", "changed\n")
        try expect("a file a child process reads", failed: ["ListsDirectoryTests", "ChildReadsTests"])
    }
}
