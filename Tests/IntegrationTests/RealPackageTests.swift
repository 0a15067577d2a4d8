import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// A real package nobody here wrote, as CI runs it: vapor/console-kit 4.16.2 depends on swift-nio, whose
    /// manifest reads `SWIFTCI_USE_LOCAL_DEPS`, and on swift-log. Its results, stored in one GitHub Actions
    /// run, serve the next, in which every per-run variable differs, and a fresh clone elsewhere.
    @Suite struct RealPackageTests {
        /// The environment of one GitHub Actions run, numbered `run`.
        static func gitHubActionsRun(_ run: Int) -> [String: String] {
            [
                "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_OS": "Linux", "GITHUB_SHA": String(repeating: "\(run)", count: 40),
                "GITHUB_REF": "refs/pull/\(run)/merge", "GITHUB_REF_NAME": "\(run)/merge", "GITHUB_HEAD_REF": "feature-\(run)",
                "GITHUB_RUN_ID": "\(9_000 + run)", "GITHUB_RUN_NUMBER": "\(run)", "GITHUB_RUN_ATTEMPT": "\(run)",
                "GITHUB_JOB": "test", "GITHUB_EVENT_NAME": run == 1 ? "push" : "pull_request",
                "GITHUB_OUTPUT": "/home/runner/work/_temp/_runner_file_commands/set_output_\(run)",
                "GITHUB_ENV": "/home/runner/work/_temp/_runner_file_commands/set_env_\(run)",
                "GITHUB_STEP_SUMMARY": "/home/runner/work/_temp/_runner_file_commands/step_summary_\(run)",
                "GITHUB_PATH": "/home/runner/work/_temp/_runner_file_commands/add_path_\(run)",
                "RUNNER_NAME": "GitHub Actions \(run)", "RUNNER_TRACKING_ID": "github_\(run)",
                "ACTIONS_RUNTIME_TOKEN": "token-\(run)", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "id-\(run)", "INVOCATION_ID": "\(run)",
            ]
        }

        @Test func consoleKitsResultsServeTheNextGitHubActionsRun() throws {
            let directory = try TemporaryDirectory()
            let root = directory.path + "/console-kit"
            // The mirrored copy, as a CI job checks it out.
            let clone = try runProgram(
                "/usr/bin/git", ["clone", "--quiet", "--branch", "4.16.2", "https://github.com/vapor/console-kit", root])
            try #require(clone.status == 0, "git clone: \(clone.stderr)")
            let store = directory.path + "/store"
            let names = ["ConsoleKitTests", "AsyncConsoleKitTests", "ConsoleKitPerformanceTests"]

            let first = try runTool(["--package-path", root], store: store, environment: Self.gitHubActionsRun(1))
            #expect(first.status == 0, first.transcript)
            #expect(first.summaries.count == names.count && first.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, first.transcript)

            let next = try runTool(["--package-path", root, "-x"], store: store, environment: Self.gitHubActionsRun(2))
            #expect(next.status == 0, next.transcript)
            #expect(next.summaries == names.map { "ok  \t\($0)\t(cached)" }, next.transcript)
            #expect(!next.ranBuild && !next.ranTests, next.transcript)

            // A fresh clone elsewhere with the pins committed, as a CI job without a cached .build checks it
            // out: its dependencies are checked out before any key is made, and nothing is built.
            let elsewhere = directory.path + "/elsewhere/console-kit"
            let second = try runProgram(
                "/usr/bin/git", ["clone", "--quiet", "--branch", "4.16.2", "https://github.com/vapor/console-kit", elsewhere])
            try #require(second.status == 0, "git clone: \(second.stderr)")
            try FileManager.default.copyItem(atPath: root + "/Package.resolved", toPath: elsewhere + "/Package.resolved")
            let fresh = try runTool(["--package-path", elsewhere, "-x"], store: store, environment: Self.gitHubActionsRun(3))
            #expect(fresh.status == 0, fresh.transcript)
            #expect(fresh.summaries == names.map { "ok  \t\($0)\t(cached)" }, fresh.transcript)
            #expect(fresh.stderr.contains(" package --package-path \(elsewhere) resolve"), fresh.transcript)
            #expect(!fresh.ranBuild && !fresh.ranTests, fresh.transcript)

            // What the manifests read by name still counts: swift-nio's switch to local dependencies.
            let local = try runTool(
                ["explain", "--package-path", root, "ConsoleKitTests"], store: store,
                environment: Self.gitHubActionsRun(2).merging(["SWIFTCI_USE_LOCAL_DEPS": "1"]) { $1 })
            #expect(local.status == 0, local.transcript)
            #expect(local.stdout.hasPrefix("ConsoleKitTests: not cached"), local.transcript)
            #expect(local.stdout.contains("variable SWIFTCI_USE_LOCAL_DEPS, which .build/checkouts/swift-nio/Package.swift reads, was set"),
                local.transcript)
        }
    }
}
