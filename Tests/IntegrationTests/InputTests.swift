import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// What tests read outside their targets, traced: fixture files read three ways, a directory listing,
    /// variables read with getenv and with ProcessInfo, a file a child process reads, a `Bundle.module`
    /// resource, an executable the package builds; and what `.swift-testcache.json` declares. Changing each
    /// reruns exactly the tests that read it (and a test whose expectation now fails reports FAIL), changing
    /// anything else keeps every result cached, and `explain` names the change first.
    @Suite(.enabled(if: isLinux, "the read tracer is an LD_PRELOAD library")) struct InputTests {
        static let names = [
            "ReadsFileTests", "ReadsEnvTests", "ReadsProcessInfoTests", "ListsDirectoryTests", "ChildReadsTests",
            "UnrelatedTests", "ReadsResourceTests", "RunsToolTests",
        ]
        /// The targets whose tests start a process with Foundation's Process, which hands the child the
        /// whole environment: every variable is their input.
        static let wholeEnvironment: Set<String> = ["ReadsProcessInfoTests", "ChildReadsTests", "RunsToolTests"]

        /// Under both build systems: Swift Build runs each target from its own runner, with its own trace.
        /// Under Swift Build, what its runners change: each runner's trace, a resource read through Swift
        /// Build's `Bundle.module`, a variable (whose whole-environment readers differ there). The steps
        /// whose answer does not depend on the runner (the other ways of reading a file or a variable, a
        /// listed directory, a product run by a test, CI's variables) run natively only, for CI's 15 minutes.
        @Test(arguments: ["native", "swiftbuild"])
        func eachInputAReadRerunsItsTestAndNothingElse(buildSystem: String) throws {
            let fixture = try Fixture("Inputs", buildSystem: buildSystem)
            let everyStep = buildSystem == "native"
            let names = Self.names
            // Swift Build's `Bundle.module` accessor looks its override up in ProcessInfo's environment,
            // which reads all of it: there, the target that reads a resource reads every variable too.
            let wholeEnvironment = buildSystem == "swiftbuild" ? Self.wholeEnvironment.union(["ReadsResourceTests"]) : Self.wholeEnvironment

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
            /// Checks that `explain` says `target` is not cached and gives `change` as the first reason.
            func expectExplained(
                _ target: String, _ change: String, environment: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation
            ) throws {
                let run = try fixture.run(target, command: "explain", environment: environment)
                #expect(run.status == 0, run.transcript, sourceLocation: sourceLocation)
                #expect(run.lines.first?.hasPrefix("\(target): not cached") == true, run.transcript, sourceLocation: sourceLocation)
                #expect(run.lines.dropFirst().first == "    " + change, run.transcript, sourceLocation: sourceLocation)
            }
            /// Changes a file, checks `explain` and a run, puts the file back and checks everything is cached.
            func expectChange(
                _ path: String, to contents: String, explained change: String, failing target: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) throws {
                let original = try String(contentsOfFile: fixture.root + "/" + path, encoding: .utf8)
                try fixture.write(path, contents)
                try expectExplained(target, change, sourceLocation: sourceLocation)
                try expect("\(path) changed", failed: [target], sourceLocation: sourceLocation)
                try fixture.write(path, original)
                try expect("\(path) put back: its passing result for these contents is still stored", sourceLocation: sourceLocation)
            }

            try expect("nothing changed")
            if everyStep {
                let explained = try fixture.run(command: "explain")
                #expect(explained.lines == names.map { "\($0): cached" }, explained.transcript)
                try fixture.write("Fixtures/unrelated.txt", "changed, and nobody reads it\n")
                try expect("a file no test reads")
            }

            if everyStep {
                try expectChange("Fixtures/expected.txt", to: "changed\n",
                    explained: "input file Fixtures/expected.txt changed", failing: "ReadsFileTests")
            }
            try expectChange("Tests/ReadsResourceTests/resource.txt", to: "changed\n",
                explained: "data file Tests/ReadsResourceTests/resource.txt changed", failing: "ReadsResourceTests")
            if everyStep {
                try expectChange("Fixtures/data.bin", to: "abcde",
                    explained: "input file Fixtures/data.bin changed", failing: "ReadsFileTests")
                try expectChange("Fixtures/managed.txt", to: "mangled\n",
                    explained: "input file Fixtures/managed.txt changed", failing: "ReadsFileTests")
                try expectChange("Fixtures/child.txt", to: "changed\n",
                    explained: "input file Fixtures/child.txt changed", failing: "ChildReadsTests")
                // Nothing in the manifest ties RunsToolTests to greet: the trace saw it run the product.
                try expectChange("Sources/greet/main.swift", to: "print(\"bye\")\n",
                    explained: "source file Sources/greet/main.swift changed", failing: "RunsToolTests")
                // A comment in the tool's source rebuilds it the same: the product is keyed by what was built
                // once built, so the stored result is replayed without running the test.
                try fixture.write("Sources/greet/main.swift", "print(\"hello\")  // the greeting\n")
                try expect("a comment in the source of a product a test runs")
                try fixture.write("Sources/greet/main.swift", "print(\"hello\")\n")
            }

            if everyStep {
                try fixture.write("Fixtures/set/c.txt", "c\n")
                try expectExplained("ListsDirectoryTests", "the entries of directory Fixtures/set changed")
                try expect("an entry added to a listed directory", failed: ["ListsDirectoryTests"])
                try FileManager.default.removeItem(atPath: fixture.root + "/Fixtures/set/c.txt")
                try expect("the entry removed again")
            }

            try expectExplained("ReadsEnvTests", "variable STC_INPUT_VALUE was set", environment: ["STC_INPUT_VALUE": "bad"])
            try expect("getenv's variable", fresh: wholeEnvironment, failed: ["ReadsEnvTests"],
                environment: ["STC_INPUT_VALUE": "bad"])
            if everyStep {
                try expectExplained("ReadsProcessInfoTests", "variable STC_INFO_VALUE was set", environment: ["STC_INFO_VALUE": "bad"])
                try expect("ProcessInfo's variable", fresh: wholeEnvironment.subtracting(["ReadsProcessInfoTests"]),
                    failed: ["ReadsProcessInfoTests"], environment: ["STC_INFO_VALUE": "bad"])
            }
            try expect("variables back as they were")
            guard everyStep else { return }
            try expect("a variable the settings ignore, read with getenv and through the whole environment",
                environment: ["STC_IGNORED_VALUE": "anything"])

            // On GitHub Actions, what changes every run does not count where tests read the whole environment.
            func gitHubRun(_ run: Int) -> [String: String] {
                ["GITHUB_ACTIONS": "true", "GITHUB_SHA": "sha\(run)", "GITHUB_RUN_ID": "\(run)", "RUNNER_NAME": "runner \(run)",
                 "GITHUB_OUTPUT": "/home/runner/work/_temp/set_output_\(run)"]
            }
            try expect("the first GitHub Actions run: a new variable, GITHUB_ACTIONS", fresh: wholeEnvironment,
                environment: gitHubRun(1))
            try expect("the next GitHub Actions run", environment: gitHubRun(2))
            // The same variables on no CI system are ordinary ones.
            try expect("GITHUB_SHA off GitHub Actions", fresh: wholeEnvironment, environment: ["GITHUB_SHA": "sha1"])
        }

        /// What `.swift-testcache.json` declares: an input file and a variable no test reads make
        /// UnrelatedTests rerun; `cache: false` runs a target every time; a broken file is a one-line error
        /// that loses nothing.
        @Test func declaredInputsAndSettings() throws {
            let fixture = try Fixture("Inputs")
            let names = Self.names
            let first = try fixture.run()
            #expect(first.status == 0 && first.summaries.count == names.count, first.transcript)

            func summaries(_ environment: [String: String] = [:]) throws -> [String] {
                let run = try fixture.run(environment: environment)
                #expect(run.status == 0, run.transcript)
                return run.summaries
            }
            func fresh(_ summaries: [String]) -> Set<String> {
                Set(zip(summaries, names).filter { isFreshPass($0, $1) }.map(\.1))
            }
            #expect(fresh(try summaries()).isEmpty)

            try fixture.write("Fixtures/declared/a.txt", "changed\n")
            let explained = try fixture.run("UnrelatedTests", command: "explain")
            #expect(explained.lines == ["UnrelatedTests: not cached:", "    declared input file Fixtures/declared/a.txt changed"],
                explained.transcript)
            #expect(fresh(try summaries()) == ["UnrelatedTests"])

            let variable = ["STC_DECLARED": "1"]
            let explainedVariable = try fixture.run("UnrelatedTests", command: "explain", environment: variable)
            #expect(explainedVariable.lines == ["UnrelatedTests: not cached:", "    variable STC_DECLARED was set"],
                explainedVariable.transcript)
            #expect(fresh(try summaries(variable)) == Self.wholeEnvironment.union(["UnrelatedTests"]))
            #expect(fresh(try summaries(variable)).isEmpty)

            let settings = try String(contentsOfFile: fixture.root + "/.swift-testcache.json", encoding: .utf8)
            try fixture.write(".swift-testcache.json", "{ \"targets\": ")
            let broken = try fixture.run()
            #expect(broken.status == 2, broken.transcript)
            #expect(broken.stderr.hasPrefix("swift-testcache: error: .swift-testcache.json is not valid JSON"), broken.transcript)
            #expect(broken.stderr.split(separator: "\n").count == 1, broken.transcript)
            try fixture.write(".swift-testcache.json", "{ \"targets\": { \"NoSuchTests\": { \"cache\": false } } }")
            let unknown = try fixture.run()
            #expect(unknown.status == 2 && unknown.stderr.contains("names 'NoSuchTests', which is not a test target"), unknown.transcript)
            try fixture.write(".swift-testcache.json", settings)
            #expect(fresh(try summaries()).isEmpty, "a broken settings file lost nothing")

            try fixture.write(".swift-testcache.json", settings.replacingOccurrences(
                of: "\"UnrelatedTests\": {", with: "\"UnrelatedTests\": {\n      \"cache\": false,"))
            #expect(fresh(try summaries()) == ["UnrelatedTests"])
            #expect(fresh(try summaries()) == ["UnrelatedTests"], "cache: false runs the target every time")
            let uncached = try fixture.run("UnrelatedTests", command: "explain")
            #expect(uncached.lines == ["UnrelatedTests: not cached: .swift-testcache.json sets cache to false"], uncached.transcript)
        }
    }
}
