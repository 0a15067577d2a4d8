import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheStore

extension SwiftTestCache {
    /// `swift-testcache flaky`: the tests that were FLAKY in the last runs of a package, with counts.
    struct Flaky: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tests that were FLAKY (failed, then passed on a retry) in the last runs of the package.",
            discussion: """
                Counts, per test, in how many of the last N runs that ran tests of this checkout (with \
                --retries) it failed and then passed; the store keeps the last \(FlakeSummary.keptRuns). Most \
                often first. A target that was FLAKY without a test to blame is listed as 'Target (target)'.
                """
        )

        @Option(name: .long, help: "Specify the package path to operate on (default current directory).")
        var packagePath: String?

        @Option(help: "How many of the last runs to look at.")
        var runs: Int = 20

        func validate() throws {
            guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        }

        func run() throws {
            let root = absolute(packagePath ?? ".", from: FileManager.default.currentDirectoryPath)
            guard FileManager.default.fileExists(atPath: root + "/Package.swift") else {
                throw failing(TestCacheError(.package, "\(root) is not a SwiftPM package: it has no Package.swift"))
            }
            let store = try CommandContext.current.openStore()
            let summary = FlakeSummary(store: store, packagePath: root, salt: KeySalt(toolVersion: SwiftTestCache.version), runs: runs)
            guard !summary.tests.isEmpty else {
                print("no flaky tests in the last \(summary.runs) run\(summary.runs == 1 ? "" : "s") that ran tests")
                return
            }
            print("flaky in the last \(summary.runs) run\(summary.runs == 1 ? "" : "s") that ran tests:")
            let width = String(summary.runs).count
            for test in summary.tests {
                print(String(repeating: " ", count: width - String(test.count).count) + "\(test.count)/\(summary.runs)  \(test.id)")
            }
        }
    }
}
