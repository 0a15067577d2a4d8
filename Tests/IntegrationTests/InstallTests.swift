import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// Scripts/install.sh and the GitHub Action's steps (Scripts/action.sh), run as a user and a CI job
    /// run them, with the debug build standing in for the release one.
    @Suite struct InstallTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path

        /// A toolchain of its own: the real swift driver linked into a scratch `usr/bin`, beside links to
        /// every other tool, so that installing beside it leaves the real toolchain alone.
        static func scratchToolchain(in directory: String) throws -> String {
            let real = URL(fileURLWithPath: try runProgram("/usr/bin/env", ["sh", "-c", "readlink -f \"$(command -v swift)\""]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)).deletingLastPathComponent()
            let bin = directory + "/usr/bin"
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            // The driver is copied, not linked: it looks for `swift-NAME` beside its resolved path.
            try FileManager.default.copyItem(atPath: real.path + "/swift-driver", toPath: bin + "/swift-driver")
            try FileManager.default.createSymbolicLink(atPath: bin + "/swift", withDestinationPath: "swift-driver")
            try FileManager.default.createSymbolicLink(atPath: directory + "/usr/lib", withDestinationPath: real.deletingLastPathComponent().path + "/lib")
            for tool in try FileManager.default.contentsOfDirectory(atPath: real.path) where !FileManager.default.fileExists(atPath: bin + "/" + tool) {
                try FileManager.default.createSymbolicLink(atPath: bin + "/" + tool, withDestinationPath: real.path + "/" + tool)
            }
            return bin
        }

        @Test func theInstallCommandMakesSwiftTestcacheWorkWithItsTracer() throws {
            // The report tests' build of the package (it runs PassingTests only, which no marker changes).
            let fixture = try Fixture(sharing: ReportTests.built.get())
            let toolchain = try Self.scratchToolchain(in: fixture.temporary.path + "/toolchain")
            let prefix = fixture.temporary.path + "/prefix"
            let built = URL(fileURLWithPath: try builtExecutable("swift-testcache")).deletingLastPathComponent().path
            var environment = toolEnvironment(store: fixture.store)
            environment["PATH"] = toolchain + ":" + (environment["PATH"] ?? "")
            let install = try runProgram(Self.repository + "/Scripts/install.sh", ["--prefix", prefix, "--from", built], environment: environment)
            #expect(install.status == 0 && install.stdout.contains("`swift testcache` works"), "\(install.stdout)\(install.stderr)")
            #expect(FileManager.default.fileExists(atPath: prefix + "/bin/libTestCacheTrace.so"))

            let help = try runProgram(toolchain + "/swift", ["testcache", "--help"], environment: environment)
            #expect(help.status == 0 && help.stdout.contains("OVERVIEW: Run a SwiftPM package's tests per target"), "\(help.stdout)\(help.stderr)")
            let run = try runProgram(toolchain + "/swift", ["testcache", "--package-path", fixture.root, "PassingTests"], environment: environment)
            #expect(run.status == 0 && run.summaries.count == 1, run.transcript)
            #expect(!run.stderr.contains("warning"), "the tracer is found beside the installed tool: \(run.transcript)")
            let bad = try runProgram(Self.repository + "/Scripts/install.sh", ["--prefx", prefix], environment: environment)
            #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, bad.transcript)
            // The same package, built already, through the action's steps (one fixture: one build).
            try actionStepsRunAsPlainCommands(fixture)
        }

        /// The GitHub Action's steps, run as plain commands on `fixture`.
        func actionStepsRunAsPlainCommands(_ fixture: Fixture) throws {
            let action = try String(contentsOfFile: Self.repository + "/action.yml", encoding: .utf8)
            for step in ["key", "install", "test"] {
                #expect(action.contains("run: '\"$GITHUB_ACTION_PATH/Scripts/action.sh\" \(step)'"), "action.yml runs the \(step) step")
            }
            let home = fixture.temporary.path + "/home"
            let store = fixture.temporary.path + "/action-store"
            let output = fixture.temporary.path + "/github-output"
            let path = fixture.temporary.path + "/github-path"
            var environment = toolEnvironment(store: store)
            environment.removeValue(forKey: "SWIFT_TESTCACHE_DIR")
            environment.merge([
                "HOME": home, "GITHUB_OUTPUT": output, "GITHUB_PATH": path, "GITHUB_ACTION_PATH": Self.repository,
                "SWIFT_TESTCACHE_FROM": URL(fileURLWithPath: try builtExecutable("swift-testcache")).deletingLastPathComponent().path,
                "PATH": try Self.scratchToolchain(in: fixture.temporary.path + "/action-toolchain") + ":" + (environment["PATH"] ?? ""),
            ]) { $1 }
            let script = Self.repository + "/Scripts/action.sh"

            let key = try runProgram(script, ["key"], environment: environment)
            #expect(key.status == 0, key.transcript)
            let keyLine = try String(contentsOfFile: output, encoding: .utf8)
            #expect(keyLine.hasPrefix("key=swift-testcache-tool-Linux-") && keyLine.hasSuffix("\n"), "\(keyLine)")
            #expect(try runProgram(script, ["key"], environment: environment).status == 0)
            #expect(Set(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")).count == 1, "the same key again")

            let install = try runProgram(script, ["install"], environment: environment)
            #expect(install.status == 0, install.transcript)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == home + "/.swift-testcache-tool/bin\n")
            // Restored by actions/cache, the tool is not built again.
            let restored = try runProgram(script, ["install"], environment: environment)
            #expect(restored.status == 0 && restored.stdout.contains("installed " + home + "/.swift-testcache-tool/bin"), restored.transcript)

            environment["PACKAGE_PATH"] = fixture.root
            environment["OPTIONS"] = "PassingTests --junit-xml \(fixture.temporary.path)/junit.xml"
            let first = try runProgram(script, ["test"], environment: environment)
            #expect(first.status == 0 && first.summaries.count == 1 && !first.summaries[0].hasSuffix("(cached)"), first.transcript)
            #expect(FileManager.default.fileExists(atPath: fixture.temporary.path + "/junit.xml"))
            // The store the action keeps is where the step put it.
            let second = try runProgram(script, ["test"], environment: environment)
            #expect(second.summaries == ["ok  \tPassingTests\t(cached)"], second.transcript)
            #expect(FileManager.default.fileExists(atPath: home + "/.cache/swift-testcache"))
        }
    }
}
