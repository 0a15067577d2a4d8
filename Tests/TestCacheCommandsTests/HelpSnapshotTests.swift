import ArgumentParser
import Foundation
import Testing
@testable import TestCacheCommands
import TestCacheCore

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

/// The test options' one definition, `TestOption` (its help and what it means for the cache), is what the
/// command line declares and what the README lists: a new option written in one place and not the others
/// fails here.
@Suite struct TestOptionCatalogTests {
    @Test func everyTestOptionIsDeclaredWithItsCatalogHelpAndListedInTheReadme() throws {
        let help = SwiftTestCache.helpMessage(for: SwiftTestCache.Test.self, columns: 100_000)
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"),
            encoding: .utf8)
        for option in TestOption.allCases where option != .passthrough {
            // The declaration's help is the catalog's, word for word (argument parser adds defaults after it).
            #expect(help.contains(option.help), "\(option.rawValue): help test does not show the catalog's help")
            #expect(readme.contains("`" + option.rawValue), "\(option.rawValue) is not in README's option table")
        }
        #expect(readme.contains("anything after `--`"))
    }
}
