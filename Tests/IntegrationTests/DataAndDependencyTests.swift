import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Files that change what a test does without being compiled by the root package: a snapshot beside a
    /// test, read through `#filePath`, and a dependency's checkout edited in place.
    @Suite struct DataAndDependencyTests {
        /// One build of Fixtures/Snapshots for the two tests of it, for CI's 15 minutes.
        static let snapshots = Result { try Fixture("Snapshots") }

        /// The shared copy of Fixtures/Snapshots, as the fixture has it, with a store of this test's own.
        private func snapshotsFixture() throws -> Fixture {
            let fixture = try Fixture(sharing: Self.snapshots.get())
            try fixture.reset(["Tests/RenderTests/Snapshots/render.txt", "Tests/RenderTests/Snapshots/notes.txt", "README.md"])
            return fixture
        }

        /// Runs a copy of swift-testcache that has no read tracer beside it, as a release build made with
        /// `--product swift-testcache` has none, and as macOS always runs.
        private func runUntraced(_ tool: String, _ fixture: Fixture, _ arguments: String..., command: String? = nil) throws -> ProcessResult {
            try runProgram(
                tool, (command.map { [$0] } ?? []) + ["--package-path", fixture.root] + arguments,
                environment: toolEnvironment(store: fixture.store))
        }

        @Test func withoutTheTracerADataFileInATargetsDirectoryIsPartOfItsContentID() throws {
            let fixture = try snapshotsFixture()
            let tool = fixture.temporary.path + "/bin/swift-testcache"
            try FileManager.default.createDirectory(atPath: fixture.temporary.path + "/bin", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: try builtExecutable("swift-testcache"), toPath: tool)

            var result = try runUntraced(tool, fixture)
            #expect(result.status == 0, result.transcript)
            #expect(result.stderr.contains("libTestCacheTrace.so is not beside swift-testcache"), result.transcript)
            #expect(result.summaries.count == 2 && isFreshPass(result.summaries[0], "RenderTests"), result.transcript)
            result = try runUntraced(tool, fixture)
            #expect(result.summaries == ["ok  \tRenderTests\t(cached)", "ok  \tOtherTests\t(cached)"], result.transcript)

            // The snapshot the test compares with changes: nothing compiled changes, yet the test reruns and
            // fails; explain names the file, and does not promise a replay if the build comes out the same.
            try fixture.write("Tests/RenderTests/Snapshots/render.txt", "value: 2\n")
            let explained = try runUntraced(tool, fixture, "RenderTests", command: "explain")
            #expect(explained.lines == [
                "RenderTests: not cached:",
                "    data file Tests/RenderTests/Snapshots/render.txt changed",
            ], explained.transcript)
            result = try runUntraced(tool, fixture)
            #expect(result.status == 1, result.transcript)
            #expect(isFailure(result.summaries.first ?? "", "RenderTests"), result.transcript)
            #expect(result.summaries.last == "ok  \tOtherTests\t(cached)", result.transcript)

            // Put back: the stored result is the one for these files.
            try fixture.write("Tests/RenderTests/Snapshots/render.txt", "value: 1\n")
            result = try runUntraced(tool, fixture)
            #expect(result.summaries == ["ok  \tRenderTests\t(cached)", "ok  \tOtherTests\t(cached)"], result.transcript)

            // A data file of the target that no test reads: untraced, nothing can tell, so the target reruns
            // (and passes). A file outside every target's directory is no target's input: all stay cached.
            try fixture.write("Tests/RenderTests/Snapshots/notes.txt", "Still nothing reads this.\n")
            result = try runUntraced(tool, fixture)
            #expect(result.status == 0 && isFreshPass(result.summaries.first ?? "", "RenderTests"), result.transcript)
            #expect(result.summaries.last == "ok  \tOtherTests\t(cached)", result.transcript)
            try fixture.write("README.md", "# Snapshots\n\nEdited.\n")
            result = try runUntraced(tool, fixture)
            #expect(result.summaries == ["ok  \tRenderTests\t(cached)", "ok  \tOtherTests\t(cached)"], result.transcript)
        }

        @Test(.enabled(if: isLinux, "the read tracer is an LD_PRELOAD library"))
        func withTheTracerOnlyADataFileATestReadsReruns() throws {
            let fixture = try snapshotsFixture()
            var result = try fixture.run()
            #expect(result.status == 0 && result.summaries.count == 2, result.transcript)
            // Traced, the run is known not to read notes.txt: rebuilt, the same objects, replayed.
            try fixture.write("Tests/RenderTests/Snapshots/notes.txt", "Still nothing reads this.\n")
            result = try fixture.run()
            #expect(result.summaries == ["ok  \tRenderTests\t(cached)", "ok  \tOtherTests\t(cached)"], result.transcript)
            // It reads render.txt.
            try fixture.write("Tests/RenderTests/Snapshots/render.txt", "value: 2\n")
            result = try fixture.run()
            #expect(result.status == 1 && isFailure(result.summaries.first ?? "", "RenderTests"), result.transcript)
        }

        @Test func aDependencysCheckoutEditedInPlaceRerunsItsTests() throws {
            let fixture = try Fixture("GitDependency")
            // The dependency: a git repository with a tag, made here.
            let dependency = fixture.temporary.path + "/Dep"
            try FileManager.default.createDirectory(atPath: dependency + "/Sources/Dep", withIntermediateDirectories: true)
            try Data("""
                // swift-tools-version: 6.0
                import PackageDescription

                let package = Package(
                    name: "Dep", products: [.library(name: "Dep", targets: ["Dep"]), .library(name: "Extra", targets: ["Extra"])],
                    targets: [.target(name: "Dep"), .target(name: "Extra")])

                """.utf8).write(to: URL(fileURLWithPath: dependency + "/Package.swift"))
            try Data("public let value = 1\n".utf8).write(to: URL(fileURLWithPath: dependency + "/Sources/Dep/Dep.swift"))
            // A function no test calls, in a file of its own, and a file no build reads.
            try Data("public func unused() -> Int { 1 }\n".utf8).write(to: URL(fileURLWithPath: dependency + "/Sources/Dep/Unused.swift"))
            try Data("notes\n".utf8).write(to: URL(fileURLWithPath: dependency + "/NOTES.txt"))
            // A module of it that the test does not link, so that the build plans it and compiles nothing.
            try FileManager.default.createDirectory(atPath: dependency + "/Sources/Extra", withIntermediateDirectories: true)
            try Data("public let extra = 1\n".utf8).write(to: URL(fileURLWithPath: dependency + "/Sources/Extra/Extra.swift"))
            for command in [["init", "-q"], ["add", "."], ["commit", "-q", "-m", "Dep 1.0.0"], ["tag", "1.0.0"]] {
                let git = try runProgram(
                    "/usr/bin/git", ["-C", dependency, "-c", "user.name=Fixture", "-c", "user.email=fixture@example.invalid"] + command)
                try #require(git.status == 0, "git \(command): \(git.stderr)")
            }
            let manifest = try String(contentsOfFile: fixture.root + "/Package.swift", encoding: .utf8)
            try fixture.write("Package.swift", manifest.replacingOccurrences(of: "DEPENDENCY_URL", with: "file://" + dependency))

            var result = try fixture.run()
            #expect(result.status == 0 && result.summaries.count == 1 && isFreshPass(result.summaries[0], "AppTests"), result.transcript)
            result = try fixture.run("-x")
            #expect(result.summaries == ["ok  \tAppTests\t(cached)"] && !result.ranBuild, result.transcript)

            // A dependency counts by its objects: an edit of a function nothing the test runs reaches is
            // built, and the result replayed; a file no object stands for (a note, a fixture a test may
            // read) still counts as it is.
            let unused = ".build/checkouts/Dep/Sources/Dep/Unused.swift"
            try fixture.write(unused, "public func unused() -> Int { 2 }\n")
            result = try fixture.run("-x")
            #expect(result.summaries == ["ok  \tAppTests\t(cached)"] && result.ranBuild, result.transcript)
            // A module the build planned and did not compile (no object): nothing of it is linked.
            try fixture.write(".build/checkouts/Dep/Sources/Extra/Extra.swift", "public let extra = 2\n")
            result = try fixture.run("-x")
            #expect(result.summaries == ["ok  \tAppTests\t(cached)"] && result.ranBuild, result.transcript)
            try fixture.write(".build/checkouts/Dep/NOTES.txt", "other notes\n")
            result = try fixture.run("-x")
            #expect(result.status == 0 && result.summaries.count == 1 && isFreshPass(result.summaries[0], "AppTests"), result.transcript)

            // Edited in place, as while debugging a dependency: its pin is the same, SwiftPM rebuilds it,
            // and the test reruns and fails.
            let checkout = ".build/checkouts/Dep/Sources/Dep/Dep.swift"
            try fixture.write(checkout, "public let value = 2\n")
            let explained = try fixture.run("AppTests", command: "explain")
            #expect(explained.lines.contains("    file \(checkout) of a dependency changed"), explained.transcript)
            result = try fixture.run()
            #expect(result.status == 1 && isFailure(result.summaries.first ?? "", "AppTests"), result.transcript)

            // Undone: the stored result is for these files again, replayed without building.
            try fixture.write(checkout, "public let value = 1\n")
            result = try fixture.run("-x")
            #expect(result.summaries == ["ok  \tAppTests\t(cached)"] && !result.ranBuild, result.transcript)
        }
    }
}
