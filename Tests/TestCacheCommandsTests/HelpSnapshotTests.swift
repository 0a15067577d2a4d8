import ArgumentParser
import Foundation
import Testing
@testable import TestCacheCommands

/// Every help screen, word for word, against the snapshot kept beside this file: what a user reads
/// changes only on purpose. To accept a new text, run with `SNAPSHOTS_RECORD=1` and review the diff.
@Suite struct HelpSnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    /// The width help is rendered at: a terminal's usual 80 columns.
    static let columns = 80

    static let screens: [(name: String, command: any ParsableCommand.Type)] = [
        ("help", SwiftTestCache.self),
        ("help-test", SwiftTestCache.Test.self),
        ("help-explain", SwiftTestCache.Explain.self),
        ("help-cache", SwiftTestCache.Cache.self),
        ("help-clean", SwiftTestCache.Clean.self),
    ]

    @Test(arguments: screens.map(\.name))
    func helpMatchesItsSnapshot(_ name: String) throws {
        let command = try #require(Self.screens.first { $0.name == name }).command
        // The help shows the machine's core count nowhere: the default is named, not computed.
        let help = SwiftTestCache.helpMessage(for: command, columns: Self.columns)
        let file = Self.snapshots.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["SNAPSHOTS_RECORD"] == "1" {
            try Data(help.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(help == expected, "\(name): the help changed; see the diff, then record with SNAPSHOTS_RECORD=1")
    }
}
