import Foundation
import Testing
import TestCacheStore
import _TestSupport
@testable import TestCacheCore

@Suite struct PackageSettingsTests {
    static func parse(_ text: String) throws -> PackageSettings {
        try PackageSettings(parsing: Array(text.utf8))
    }

    @Test func aTargetGetsTheSettingsForAllPlusItsOwnAndItsOwnCacheWins() throws {
        let settings = try Self.parse("""
            {
              "inputs": ["Fixtures"],
              "environment": { "include": ["API_URL"], "ignore": ["CI_*"] },
              "cache": false,
              "targets": {
                "ParserTests": { "inputs": ["Grammar/*.peg"], "environment": { "ignore": ["PARSER_SEED"] }, "cache": true },
                "NetworkTests": { "environment": { "include": ["PROXY"] } }
              }
            }
            """)
        let parser = settings.settings(for: "ParserTests")
        #expect(parser.inputs == ["Fixtures", "Grammar/*.peg"])
        #expect(parser.includedVariables == ["API_URL"])
        #expect(parser.ignoredVariables == ["CI_*", "PARSER_SEED"])
        #expect(parser.cache)
        let network = settings.settings(for: "NetworkTests")
        #expect(network.includedVariables == ["API_URL", "PROXY"])
        #expect(!network.cache, "the setting for all applies where the target does not say")
        #expect(settings.settings(for: "OtherTests") == settings.all)
        #expect(parser.ignores("CI_JOB") && parser.ignores("PARSER_SEED") && !parser.ignores("API_URL"))
        #expect(try Self.parse("{}").settings(for: "Any").cache, "results are cached unless a file says otherwise")
    }

    @Test func granularityIsPerTestUnlessATargetOrAllSayTarget() throws {
        #expect(try Self.parse("{}").settings(for: "Any").perTest)
        let settings = try Self.parse(#"{"granularity": "target", "targets": {"FastTests": {"granularity": "test"}, "Other": {}}}"#)
        #expect(settings.settings(for: "FastTests").perTest)
        #expect(!settings.settings(for: "Other").perTest && !settings.settings(for: "Any").perTest)
    }

    @Test(arguments: [
        ("{", "is not valid JSON"),
        ("[]", "must hold a JSON object"),
        (#"{"input": []}"#, "unknown key 'input'"),
        (#"{"cache": 1}"#, "cache must be true or false"),
        (#"{"cache": "no"}"#, "cache must be true or false"),
        (#"{"granularity": "tests"}"#, "granularity must be \"test\" or \"target\""),
        (#"{"targets": {"T": {"granularity": true}}}"#, "targets.T.granularity must be"),
        (#"{"inputs": "Fixtures"}"#, "inputs must be a list of strings"),
        (#"{"inputs": ["/etc/passwd"]}"#, "must be a path inside the package"),
        (#"{"inputs": ["../Other/file"]}"#, "must be a path inside the package"),
        (#"{"environment": {"exclude": []}}"#, "unknown key 'exclude' in environment"),
        (#"{"targets": {"T": {"targets": {}}}}"#, "unknown key 'targets' in targets.T"),
        (#"{"targets": []}"#, "'targets' must be an object"),
    ])
    func badFilesAreOneLineErrorsNamingTheFile(text: String, message: String) throws {
        let error = try #require(throws: TestCacheError.self) { try Self.parse(text) }
        #expect(error.code == .settings)
        #expect(error.message.hasPrefix(".swift-testcache.json"), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
        #expect(!error.message.contains("\n"), "\(error.message)")
    }

    @Test func quarantineEntriesAreTestIDsOrPatternsOfOneTargetsTests() throws {
        let settings = try Self.parse("""
            {"quarantine": ["A_Tests.Case/testOne", {"test": "BTests.*", "reason": "#7"}]}
            """)
        #expect(settings.quarantine.entry(for: "A_Tests.Case/testOne") != nil)
        #expect(settings.quarantine.entry(for: "A_Tests.Case/testTwo") == nil)
        #expect(settings.quarantine.entry(for: "BTests.Suite/anything()")?.reason == "#7")
        // Each target's keys hold its own entries only: a target's module is its name made an identifier.
        #expect(settings.settings(for: "A-Tests").quarantine == ["A_Tests.Case/testOne"])
        #expect(settings.settings(for: "BTests").quarantine == ["BTests.*"])
        #expect(settings.settings(for: "CTests").quarantine.isEmpty)
        try settings.validate(testTargets: ["A-Tests", "BTests"])
        #expect(throws: TestCacheError.self) { try settings.validate(testTargets: ["BTests"]) }
    }

    @Test(arguments: [
        #"{"quarantine": "ATests.Case/testOne"}"#, #"{"quarantine": [""]}"#, #"{"quarantine": ["testOne"]}"#,
        #"{"quarantine": ["*.Case/testOne"]}"#, #"{"quarantine": ["ATests.Case/test[One"]}"#, #"{"quarantine": [42]}"#,
        #"{"quarantine": [{"reason": "no test"}]}"#, #"{"quarantine": [{"test": "ATests.x", "why": "typo"}]}"#,
    ])
    func aMalformedQuarantineEntryIsASettingsError(_ text: String) throws {
        let error = try #require(throws: TestCacheError.self) { try Self.parse(text) }
        #expect(error.code == .settings && error.message.hasPrefix(".swift-testcache.json: quarantine") && !error.message.contains("\n"), "\(error.message)")
    }

    @Test func aTargetTheFileNamesMustBeATestTarget() throws {
        let settings = try Self.parse(#"{"targets": {"Gone": {"cache": false}}}"#)
        #expect(throws: TestCacheError(.settings, ".swift-testcache.json names 'Gone', which is not a test target of this package; its test targets are: ATests, BTests")) {
            try settings.validate(testTargets: ["ATests", "BTests"])
        }
        try settings.validate(testTargets: ["Gone"])
    }

    @Test func declaredInputsMatchFilesDirectoriesAndGlobs() throws {
        let directory = try TemporaryDirectory()
        for path in ["Fixtures/a.json", "Fixtures/deep/b.json", "Fixtures/deep/c.txt", "Fixtures/.hidden.json", "top.json", ".build/x.json"] {
            let url = URL(fileURLWithPath: directory.path + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(path.utf8).write(to: url)
        }
        let hasher = InputHasher(root: directory.path, previous: [:], now: 0)
        func matched(_ pattern: String) -> [String] { TargetSettings.files(matching: pattern, hasher: hasher).map(\.path) }
        #expect(matched("Fixtures/*.json") == ["Fixtures/a.json"], "a name pattern matches neither hidden files nor deeper ones")
        #expect(matched("Fixtures/**/*.json") == ["Fixtures/a.json", "Fixtures/deep/b.json"])
        #expect(matched("**/*.json") == ["Fixtures/a.json", "Fixtures/deep/b.json", "top.json"], "never build output")
        #expect(matched("Fixtures/deep") == ["Fixtures/deep/b.json", "Fixtures/deep/c.txt"])
        #expect(matched("top.json") == ["top.json"])
        #expect(matched("missing.json").isEmpty)
    }

    @Test func aDeclaredFileOrVariableChangesTheKeyAndAnUndeclaredOneDoesNot() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/Fixtures", withIntermediateDirectories: true)
        try Data("1".utf8).write(to: URL(fileURLWithPath: directory.path + "/Fixtures/a.json"))
        try Data("1".utf8).write(to: URL(fileURLWithPath: directory.path + "/other.json"))
        var settings = TargetSettings()
        settings.inputs = ["Fixtures/*.json", "Fixtures/later.json"]
        settings.includedVariables = ["API_URL"]
        let keys = ActionKeys(salt: KeySalt(toolVersion: "test"), trace: nil)
        func key(_ environment: [String: String] = [:]) -> ActionID? {
            keys.declaredKey(settings, hasher: InputHasher(root: directory.path, previous: [:], now: 0), environment: environment)
        }
        let before = try #require(key())
        try Data("2".utf8).write(to: URL(fileURLWithPath: directory.path + "/other.json"))
        #expect(key() == before)
        #expect(key(["UNRELATED": "1"]) == before)
        #expect(key(["API_URL": "x"]) != before, "setting an included variable")
        try Data("2".utf8).write(to: URL(fileURLWithPath: directory.path + "/Fixtures/a.json"))
        let changed = try #require(key())
        #expect(changed != before)
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.path + "/Fixtures/later.json"))
        #expect(key() != changed, "a declared file that appears")
        #expect(keys.declaredKey(TargetSettings(), hasher: InputHasher(root: directory.path, previous: [:], now: 0), environment: [:]) == nil)
    }
}

@Suite struct ExplanationTests {
    @Test func changesAreReadableLinesWithWhatTheUserEditedFirst() {
        func file(_ path: String) -> KeyField { KeyField(kind: .file, subject: path) }
        func input(_ path: String) -> KeyField { KeyField(kind: .inputFile, subject: path) }
        func variable(_ name: String) -> KeyField { KeyField(kind: .variable, subject: name) }
        let configuration = KeyField(kind: .buildOption, subject: "--configuration")
        let filter = KeyField(kind: .testOption, subject: "--filter")
        let tree = KeyField(kind: .tree, subject: "Sources/Lib")
        let stored = KeyComponents(fields: [
            file("Sources/Lib/a.swift"): "1", file("Sources/Lib/gone.swift"): "1", tree: "t1",
            input("Fixtures/x.json"): "1", input("Fixtures/new.json"): "absent", variable("API_URL"): "unset",
            variable("TOKEN"): "sha256:1", configuration: "debug", filter: "a\nb", KeyField(kind: .toolchain): "6.3",
            KeyField(kind: .manifestVariable, subject: "CI", reader: "Package.swift"): "unset",
        ])
        let now = KeyComponents(fields: [
            file("Sources/Lib/a.swift"): "2", file("Sources/Lib/added.swift"): "1", tree: "t2",
            input("Fixtures/x.json"): "2", input("Fixtures/new.json"): "9", variable("API_URL"): "sha256:2",
            variable("TOKEN"): "unset", configuration: "release", filter: "a", KeyField(kind: .toolchain): "6.4",
            KeyField(kind: .manifestVariable, subject: "CI", reader: "Package.swift"): "sha256:3",
        ])
        #expect(now.changes(since: stored).map(\.text) == [
            "source file Sources/Lib/a.swift changed",
            "source file Sources/Lib/added.swift was added",
            "source file Sources/Lib/gone.swift was removed",
            "input file Fixtures/new.json was added",
            "input file Fixtures/x.json changed",
            "variable API_URL was set",
            "variable TOKEN was unset",
            "the toolchain changed",
            "variable CI, which Package.swift reads, was set",
            "build option --configuration changed: debug → release",
            "test option --filter changed: a b → a",
        ])
        #expect(now.changes(since: now).isEmpty)
        #expect(KeyComponents(fields: [variable("X"): "unset"]).changes(since: KeyComponents(fields: [variable("X"): "=1"]))
            .allSatisfy { !$0.rebuilds })
        #expect(KeyComponents(fields: [file("a"): "2"]).changes(since: KeyComponents(fields: [file("a"): "1"])).allSatisfy { $0.rebuilds })
        // A data file is what is built only when reads are traced; without the tracer its change reruns.
        let data = KeyField(kind: .dataFile, subject: "Tests/T/snapshot.json")
        #expect(KeyComponents(fields: [data: "2"]).changes(since: KeyComponents(fields: [data: "1"])).map(\.rebuilds) == [true])
        #expect(KeyComponents(fields: [data: "2"]).changes(since: KeyComponents(fields: [data: "1"]), traced: false).map(\.rebuilds) == [false])
    }

    /// What explain says for a change of each kind of input, word for word: one line per kind, in the
    /// order a user reads them, and nothing for the fields that only summarize others.
    @Test func everyKindOfInputHasItsLine() {
        let changed: [KeyField] = [
            KeyField(kind: .file, subject: "Sources/A/a.swift"), KeyField(kind: .dataFile, subject: "Tests/T/s.json"),
            KeyField(kind: .dependencyFile, subject: ".build/checkouts/dep/Sources/Dep/d.swift"), KeyField(kind: .header, subject: "include/h.h"),
            KeyField(kind: .pluginInput, subject: "gen/in.txt"), KeyField(kind: .linkerInput, subject: "vendor/libv.a"),
            KeyField(kind: .linkerDirectory, subject: "vendor/lib"), KeyField(kind: .inputFile, subject: "Fixtures/x.json"),
            KeyField(kind: .inputDirectory, subject: "Fixtures/set"), KeyField(kind: .variable, subject: "API"),
            KeyField(kind: .env, subject: "HOME"), KeyField(kind: .product, subject: "tool"),
            KeyField(kind: .declaredFile, subject: "Grammar/g.txt"), KeyField(kind: .declaredInputs),
            KeyField(kind: .declaredVariable, subject: "MODE"), KeyField(kind: .declaredVariables), KeyField(kind: .ignoredVariables),
            KeyField(kind: .manifest, subject: "Package.swift"), KeyField(kind: .manifestVariable, subject: "CI", reader: "Package.swift"),
            KeyField(kind: .packageResolved), KeyField(kind: .toolchain), KeyField(kind: .toolchainRuntime, subject: "libXCTest.so"),
            KeyField(kind: .environment), KeyField(kind: .buildOption, subject: "-Xswiftc"), KeyField(kind: .testOption, subject: "--skip"),
            KeyField(kind: .tree, subject: "Sources/A"), KeyField(kind: .dependency, subject: ".build/checkouts/dep"),
            KeyField(kind: .directoryOf, subject: "A"), KeyField(kind: .target), KeyField(kind: .object, subject: "A/a.swift.o"),
            KeyField(kind: .externalObject, subject: "Dep/d.swift.o"), KeyField(kind: .resource, subject: "A/r.txt"),
        ]
        let before = KeyComponents(fields: Dictionary(uniqueKeysWithValues: changed.map { ($0, "1") }))
        let after = KeyComponents(fields: Dictionary(uniqueKeysWithValues: changed.map { ($0, "2") }))
        #expect(after.changes(since: before).map(\.text) == [
            "data file Tests/T/s.json changed",
            "header include/h.h changed",
            "linker input vendor/libv.a changed",
            "plugin input gen/in.txt changed",
            "source file Sources/A/a.swift changed",
            "the entries of linker directory vendor/lib changed",
            "declared input file Grammar/g.txt changed",
            "input file Fixtures/x.json changed",
            "the entries of directory Fixtures/set changed",
            "variable API changed",
            "variable HOME changed",
            "variable MODE changed",
            "Package.resolved changed: other dependency versions",
            "file .build/checkouts/dep/Sources/Dep/d.swift of a dependency changed",
            "how the manifests read the environment changed: 2",
            "manifest Package.swift changed",
            "the toolchain changed",
            "the toolchain's runtime library libXCTest.so changed",
            "variable CI, which Package.swift reads, changed",
            ".swift-testcache.json: declared inputs changed",
            ".swift-testcache.json: declared variables changed",
            ".swift-testcache.json: ignored variables changed",
            "build option -Xswiftc changed: 1 → 2",
            "test option --skip changed: 1 → 2",
        ])
    }

    @Test func aDependencyWhoseFilesAreNotAtHandIsNamedByItsDirectory() {
        let dependency = KeyField(kind: .dependency, subject: ".build/checkouts/dep")
        let changes = KeyComponents(fields: [dependency: "2"]).changes(since: KeyComponents(fields: [dependency: "1"]))
        #expect(changes.map(\.text) == ["a file of dependency .build/checkouts/dep changed"] && changes.allSatisfy(\.rebuilds))
    }

    @Test func variableValuesAreKeptAsDigestsNotInTheClear() {
        let collector = KeyComponentCollector()
        var key = FieldHasher(name: "k", salt: KeySalt(toolVersion: "test"), record: collector.recorder)
        let token = KeyField(kind: .variable, subject: "TOKEN"), unset = KeyField(kind: .variable, subject: "UNSET")
        let filter = KeyField(kind: .testOption, subject: "--filter")
        key.update(token, "=secret")
        key.update(KeyField(kind: .env, subject: "OTHER"), "secret")
        key.update(unset, "unset")
        key.update(filter, "a")
        key.update(filter, "b")
        let fields = collector.collected
        #expect(fields[token]?.hasPrefix("sha256:") == true)
        #expect(!fields.values.contains { $0.contains("secret") })
        #expect(fields[unset] == "unset")
        #expect(fields[filter] == "a\nb")
    }
}
