import Foundation
import Testing
import _TestSupport

/// A copy of one of the repository's `Fixtures/` packages in a temporary directory, with a store of its own.
final class Fixture: Sendable {
    let temporary: TemporaryDirectory
    /// The package's root in the copy.
    let root: String
    /// The store every run of this fixture uses, unless a run names another.
    let store: String
    /// `--build-system` for every run and `explain`; nil for the toolchain's default.
    let buildSystem: String?
    /// The directory of `Fixtures/` it is a copy of.
    let name: String

    /// The repository's `Fixtures` directory, found from this source file.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    init(_ name: String, checkout: String = "checkout", buildSystem: String? = nil) throws {
        self.buildSystem = buildSystem
        self.name = name
        temporary = try TemporaryDirectory()
        root = temporary.path + "/" + checkout + "/" + name
        store = temporary.path + "/store"
        try FileManager.default.createDirectory(atPath: temporary.path + "/" + checkout, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: root)
        // A build folder left by hand in the source tree must not leak into the copy.
        try? FileManager.default.removeItem(atPath: root + "/.build")
    }

    /// The package copy of `built`, its `.build` included, with a store and a temporary directory of its
    /// own: tests that need the same build share one (a copy elsewhere would build again, since a build
    /// folder names its own path), each with a store that starts empty.
    init(sharing built: Fixture) throws {
        buildSystem = built.buildSystem
        name = built.name
        temporary = try TemporaryDirectory()
        root = built.root
        store = temporary.path + "/store"
    }

    /// Runs `swift-testcache [COMMAND] --package-path ROOT ARGUMENTS` with this fixture's store.
    func run(
        _ arguments: String..., command: String? = nil, environment extra: [String: String] = [:], store: String? = nil
    ) throws -> ProcessResult {
        try run(arguments, command: command, environment: extra, store: store)
    }

    /// Runs `swift-testcache [COMMAND] --package-path ROOT ARGUMENTS` with this fixture's store.
    func run(
        _ arguments: [String], command: String? = nil, environment extra: [String: String] = [:], store: String? = nil
    ) throws -> ProcessResult {
        let system = buildSystem.map { ["--build-system", $0] } ?? []
        let builds = command == nil || command == "explain"
        return try runTool(
            (command.map { [$0] } ?? []) + ["--package-path", root] + (builds ? system : []) + arguments, store: store ?? self.store,
            environment: extra)
    }

    /// Puts files of the copy back as `Fixtures/` has them, removing those it does not have: what an
    /// earlier test sharing the copy changed or left behind.
    func reset(_ relativePaths: [String]) throws {
        for path in relativePaths {
            let original = Self.fixtures + "/" + name + "/" + path
            if FileManager.default.fileExists(atPath: original) {
                try Data(contentsOf: URL(fileURLWithPath: original)).write(to: URL(fileURLWithPath: root + "/" + path))
            } else if FileManager.default.fileExists(atPath: root + "/" + path) {
                try FileManager.default.removeItem(atPath: root + "/" + path)
            }
        }
    }

    /// Replaces a file of the package.
    func write(_ relativePath: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: root + "/" + relativePath))
    }
}

extension ProcessResult {
    /// Standard output's lines.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(stdout.hasSuffix("\n") ? 1 : 0) }

    /// The Go-style summary lines only (`ok`, `FAIL`, `FLAKY`, `?`).
    var summaries: [String] {
        lines.filter { $0.hasPrefix("ok  \t") || $0.hasPrefix("FAIL\t") || $0.hasPrefix("FLAKY\t") || $0.hasPrefix("?   \t") }
    }

    /// Whether `-x` showed a `swift build` (stderr).
    var ranBuild: Bool { stderr.contains(" build --build-tests ") }

    /// Whether `-x` showed a run of a test binary (the native one, or a Swift Build runner) other than a
    /// listing (stderr).
    var ranTests: Bool {
        stderr.split(separator: "\n").contains {
            ($0.contains("PackageTests.xctest") || $0.contains("-test-runner")) && !$0.contains("--list-tests")
        }
    }

    /// Everything the run printed, for failure messages.
    var transcript: Comment { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Whether `line` is `ok  \tNAME\t<seconds>s`, a run that was not replayed.
func isFreshPass(_ line: String, _ name: String) -> Bool {
    line.wholeMatch(of: try! Regex("ok  \t\(name)\t[0-9]+\\.[0-9]{3}s")) != nil
}

/// Whether `line` is `FAIL\tNAME\t<seconds>s`.
func isFailure(_ line: String, _ name: String) -> Bool {
    line.wholeMatch(of: try! Regex("FAIL\t\(name)\t[0-9]+\\.[0-9]{3}s")) != nil
}
