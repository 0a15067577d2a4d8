import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Content IDs count what a test target's code can reach in the libraries it links, by every path a
    /// Swift program takes (a direct call or read, a protocol witness, a vtable, a type found by name):
    /// a change on a path reruns the target that takes it; a change no target reaches reruns none.
    @Suite struct Reachability {
        /// Natively; the seed scenario shows the same under Swift Build, whose objects the same compiler
        /// makes.
        @Test func aChangeRerunsExactlyTheTargetsThatCanReachIt() throws {
            let fixture = try Fixture("Reachability")
            let names = ["DirectTests", "WitnessTests", "VTableTests", "ByNameTests"]
            var result = try fixture.run()
            #expect(result.status == 0, result.transcript)
            #expect(result.summaries.count == 4, result.transcript)
            let cached = names.map { "ok  \t\($0)\t(cached)" }

            /// Edits a file of the library, runs, and puts the file back.
            func withEdit(_ file: String, _ old: String, _ new: String) throws -> ProcessResult {
                let path = fixture.root + "/Sources/Reach/" + file
                let original = try String(contentsOfFile: path, encoding: .utf8)
                #expect(original.contains(old))
                try fixture.write("Sources/Reach/" + file, original.replacingOccurrences(of: old, with: new))
                defer { try? fixture.write("Sources/Reach/" + file, original) }
                return try fixture.run("-x")
            }

            // A function no code calls: rebuilt, and every target replayed through its content ID. Saved
            // at the start of a second, so that the run and the next save (the revert and the edit of
            // `limit`, both the size of this one) fall in the same second whenever the run takes under
            // one: swift-driver compares times to the second, and the tool's build must wait for the
            // second to end or the next build keeps this edit's object.
            let now = Date().timeIntervalSince1970
            Thread.sleep(forTimeInterval: now.rounded(.down) + 1.01 - now)
            result = try withEdit("Direct.swift", "-> Int { 1 }", "-> Int { 2 }")
            #expect(result.ranBuild && !result.ranTests, result.transcript)
            #expect(result.summaries == cached, result.transcript)

            // A value only DirectTests reads: it fails; the others cannot reach the value and stay cached.
            result = try withEdit("Direct.swift", "limit = 10", "limit = 11")
            #expect(result.status == 1, result.transcript)
            #expect(isFailure(result.summaries[0], "DirectTests"), result.transcript)
            #expect(Array(result.summaries.dropFirst()) == Array(cached.dropFirst()), result.transcript)

            // Reached through metadata every target of the library can reach: the one that checks fails.
            for (file, old, new, failing) in [
                ("Witness.swift", "\"hello\"", "\"hi\"", "WitnessTests"),
                ("VTable.swift", "\"woof\"", "\"meow\"", "VTableTests"),
                ("ByName.swift", "\"hidden\"", "\"shown\"", "ByNameTests"),
            ] {
                result = try withEdit(file, old, new)
                #expect(result.status == 1, result.transcript)
                let summary = result.summaries.first { $0.contains("\t\(failing)") } ?? ""
                #expect(isFailure(summary, failing), "\(file): \(result.transcript)")
            }

            // Everything back as it was: replayed without a build.
            result = try fixture.run("-x")
            #expect(result.summaries == cached && !result.ranBuild, result.transcript)
        }
    }
}
