import Synchronization
import Foundation
import Testing
import TestCacheStore
import _TestSupport
@testable import TestCacheCore

@Suite struct PackageModelTests {
    static let manifest = Array("""
        let package = Package(
            name: "P",
            products: [.library(name: "Mid", targets: ["Mid"])],
            targets: [
                .target(name: "Lib"),
                .target(name:"Mid", dependencies: ["Lib"]),
                .testTarget(
                    name: "ZTests",
                    dependencies: ["Mid"]),
                .testTarget(name: "ATests"),
            ]
        )
        """.utf8)
    static let describe = Array(#"""
        {"name":"P","path":"/src/P","dependencies":[
          {"identity":"other","type":"fileSystem","path":"/src/Other"},
          {"identity":"swift-log","type":"sourceControl","url":"https://github.com/apple/swift-log"}],
         "targets":[
          {"name":"ZTests","c99name":"ZTests","type":"test","path":"Tests/ZTests","target_dependencies":["Mid"]},
          {"name":"Mid","c99name":"Mid","type":"library","path":"Sources/Mid","target_dependencies":["Lib"]},
          {"name":"Lib","c99name":"Lib","type":"library","path":"Sources/Lib"},
          {"name":"ATests","c99name":"ATests","type":"test","path":"Tests/ATests"}]}
        """#.utf8)

    @Test func targetsComeInManifestOrderWithTheirTransitiveDependencies() throws {
        let model = try PackageModel(describeJSON: Self.describe, manifest: Self.manifest, root: "/src/P")
        // Test targets print in this order; the product named like its target is why Mid comes first.
        #expect(model.targets.map(\.name) == ["Mid", "Lib", "ZTests", "ATests"])
        #expect(model.testTargets.map(\.name) == ["ZTests", "ATests"])
        let zTests = try #require(model.target(named: "ZTests"))
        #expect(model.closure(of: zTests).map(\.name) == ["Lib", "Mid", "ZTests"])
        #expect(model.closure(of: try #require(model.target(named: "ATests"))).map(\.name) == ["ATests"])
        #expect(model.localDependencyPaths == ["../Other"])
        #expect(model.hasRemoteDependencies)
    }

    @Test func productsATestCanUseAreExecutablesDynamicLibrariesAndResourceBundles() throws {
        let describe = Array(#"""
            {"name":"P","targets":[
              {"name":"tool","type":"executable","path":"Sources/tool"},
              {"name":"Data","type":"library","path":"Sources/Data","resources":[{"path":"/src/P/Sources/Data/t.json"}]},
              {"name":"Lib","type":"library","path":"Sources/Lib","resources":[]}],
             "products":[
              {"name":"tool","targets":["tool"],"type":{"executable":null}},
              {"name":"Dyn","targets":["Lib"],"type":{"library":["dynamic"]}},
              {"name":"Static","targets":["Lib"],"type":{"library":["automatic"]}}]}
            """#.utf8)
        let model = try PackageModel(describeJSON: describe, manifest: [], root: "/src/P")
        #expect(model.products == [
            PackageProduct(name: "tool", targets: ["tool"]),
            PackageProduct(name: "Dyn", targets: ["Lib"]),
            PackageProduct(name: "P_Data.resources", targets: ["Data"], fileNames: ["P_Data.resources", "P_Data.bundle"]),
        ])
        #expect(model.products[1].fileNames == ["Dyn", "libDyn.so", "libDyn.dylib"])
    }

    @Test func notSwiftPMsJSONIsAnError() {
        #expect(throws: TestCacheError(.package, "the package description is not the JSON SwiftPM writes")) { try PackageModel(describeJSON: Array("[]".utf8), manifest: Self.manifest, root: "/") }
    }

    @Test func targetsAManifestDoesNotSpellOutFollowInNameOrder() {
        let manifest = #"""
            let names = ["Gen2", "Gen1"]
            let package = Package(name: "P", targets: [.testTarget(name: "Written"), .target(name: "Lib")]
                + names.map { .testTarget(name: $0) })
            """#
        #expect(manifestOrder(of: ["Gen1", "Lib", "Gen2", "Written"], in: manifest) == ["Written", "Lib", "Gen1", "Gen2"])
        #expect(manifestOrder(of: ["B", "A"], in: "name: \"") == ["A", "B"])
    }

    @Test func relativePaths() {
        #expect(relativePath("/a/b/c", from: "/a/b") == "c")
        #expect(relativePath("/a/x", from: "/a/b") == "../x")
        #expect(relativePath("/a/b", from: "/a/b") == ".")
        #expect(relativePath("/x/y", from: "/a/b") == "/x/y")
    }
}

@Suite struct InputHasherTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: directory.path + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Sets a file's mtime to one fixed instant in the past (2023-11-14), as if written long before the scan.
    func age(_ path: String) throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: directory.path + "/" + path)
    }

    var now: Int64 { StoreConfiguration.systemClock() }

    @Test func treesListEveryFileSortedAndSkipBuildFolders() throws {
        try write("Sources/A/b.swift", "b")
        try write("Sources/A/a.swift", "a")
        try write("Sources/A/.hidden", "h")
        try write("Sources/A/Sub/c.txt", "c")
        try write("Sources/A/.build/junk.o", "j")
        let hasher = InputHasher(root: directory.path, previous: [:], now: now)
        let files = hasher.hashTree("Sources/A")
        #expect(files.map(\.path) == ["Sources/A/.hidden", "Sources/A/Sub/c.txt", "Sources/A/a.swift", "Sources/A/b.swift"])
        #expect(files.first { $0.path == "Sources/A/a.swift" }?.digest == OutputID(of: Array("a".utf8)))
    }

    @Test func recentlyChangedFilesAreHashedButNotRemembered() throws {
        try write("old.swift", "old")
        try write("new.swift", "new")
        // The ctime cannot be set back, so "old" is only settled when the scan is told it runs later.
        let hasher = InputHasher(root: directory.path, previous: [:], now: now + 10_000_000_000)
        let fresh = InputHasher(root: directory.path, previous: [:], now: now)
        #expect(hasher.hashFile("old.swift") != nil)
        #expect(hasher.records.keys.contains("old.swift"))
        #expect(fresh.hashFile("new.swift") == OutputID(of: Array("new".utf8)))
        #expect(fresh.records.isEmpty)
    }

    @Test func aSameSizeEditWithItsMtimeSetBackIsHashedAgain() throws {
        try write("value.swift", "let x = 1\n")
        try age("value.swift")
        let first = InputHasher(root: directory.path, previous: [:], now: now + 10_000_000_000)
        #expect(first.hashFile("value.swift") == OutputID(of: Array("let x = 1\n".utf8)))
        let remembered = first.records
        #expect(remembered.count == 1)

        // Same size, same mtime as before: only the ctime (which no program can set back) changed.
        try write("value.swift", "let x = 2\n")
        try age("value.swift")
        let status = try #require(FileSystem.status(following: directory.path + "/value.swift"))
        let record = try #require(remembered["value.swift"])
        #expect(status.size == record.size && status.modified == record.modified && status.inode == record.inode)
        let second = InputHasher(root: directory.path, previous: remembered, now: now + 10_000_000_000)
        #expect(second.hashFile("value.swift") == OutputID(of: Array("let x = 2\n".utf8)))
        #expect(second.filesRead == 1)
    }

    @Test func unchangedFilesComeFromTheStatCache() throws {
        try write("a.swift", "a")
        let first = InputHasher(root: directory.path, previous: [:], now: now + 10_000_000_000)
        _ = first.hashTree(".")
        let second = InputHasher(root: directory.path, previous: first.records, now: now + 10_000_000_000)
        #expect(second.hashTree(".").map(\.digest) == [OutputID(of: Array("a".utf8))])
        #expect(second.filesRead == 0)
    }

    @Test func statCachesRoundTripAndGarbageIsEmpty() throws {
        try write("dir with space/a b.swift", "a")
        let hasher = InputHasher(root: directory.path, previous: [:], now: now + 10_000_000_000)
        _ = hasher.hashTree(".")
        let encoded = StatCacheFormat.encode(hasher.records)
        #expect(StatCacheFormat.decode(encoded) == hasher.records)
        #expect(StatCacheFormat.decode(Array("garbage".utf8)).isEmpty)
        #expect(StatCacheFormat.decode(Array("stc-statcache 1\nnot a record\n".utf8)).isEmpty)
    }

    @Test func statCachesKeepEveryValueOfEveryFieldAndRejectDamage() throws {
        let digest = OutputID(of: Array("x".utf8))
        let records: [String: StatRecord] = [
            "Sources/A/a b.swift": StatRecord(size: 0, modified: -1, changed: Int64.max, inode: UInt64.max, digest: digest),
            "Tests/ñ.swift": StatRecord(
                size: 123, modified: 1_763_000_000_123_456_789, changed: Int64.min + 1, inode: 0, digest: digest),
        ]
        let encoded = StatCacheFormat.encode(records)
        #expect(StatCacheFormat.decode(encoded) == records)
        let line = "\(digest.hex) 1 2 3 4 a.swift"
        for damaged in [
            line,  // no final newline: a torn write
            "\(digest.hex) 1 2 3 18446744073709551616 a.swift\n",  // inode past UInt64
            "\(digest.hex) 9223372036854775808 2 3 4 a.swift\n",  // size past Int64
            "\(digest.hex) 1 2 3 -4 a.swift\n",  // a negative inode
            "\(digest.hex) 1 2 3 4 \n",  // no path
            "\(digest.hex) 1 x 3 4 a.swift\n",
            "\(digest.hex.uppercased()) 1 2 3 4 a.swift\n",
        ] {
            #expect(StatCacheFormat.decode(Array((StatCacheFormat.header + damaged).utf8)).isEmpty, "\(damaged)")
        }
        #expect(StatCacheFormat.decode(Array((StatCacheFormat.header + line + "\n").utf8)).count == 1)
    }
}

@Suite struct ActionKeyTests {
    static let model = PackageModel(
        name: "P",
        targets: [
            PackageTarget(name: "Lib", moduleName: "Lib", kind: "library", path: "Sources/Lib", dependencies: []),
            PackageTarget(name: "LibTests", moduleName: "LibTests", kind: "test", path: "Tests/LibTests", dependencies: ["Lib"]),
            PackageTarget(name: "OtherTests", moduleName: "OtherTests", kind: "test", path: "Tests/OtherTests", dependencies: []),
        ],
        localDependencyPaths: [],
        hasRemoteDependencies: false
    )

    func makePackage(at root: String, libValue: String = "1", manifest: String = "// manifest") throws {
        for (path, text) in [
            ("Package.swift", manifest), ("Sources/Lib/Lib.swift", "let x = \(libValue)"),
            ("Tests/LibTests/T.swift", "test"), ("Tests/OtherTests/O.swift", "other"),
        ] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    func keys(
        at root: String, test: TestOptions = TestOptions(), build: BuildOptions = BuildOptions(),
        environment: [String: String] = [:]
    ) -> [String: ActionID] {
        let hasher = InputHasher(root: root, previous: [:], now: StoreConfiguration.systemClock())
        let keys = ActionKeys(salt: KeySalt(toolVersion: "test"), trace: nil)
        let toolchain = Toolchain(swiftPath: "/usr/bin/swift", identity: "Swift version 6.3.1")
        let description = keys.descriptionKey(toolchain: toolchain, hasher: hasher, environment: environment)
        let inputs = keys.packageInputs(
            descriptionKey: description, model: Self.model, build: build, hasher: hasher, environment: environment)
        return Dictionary(uniqueKeysWithValues: Self.model.testTargets.map {
            ($0.name, keys.actionID(for: $0, model: Self.model, inputs: inputs, test: test, hasher: hasher))
        })
    }

    @Test func keysDoNotDependOnWhereThePackageIs() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        try makePackage(at: first.path + "/a")
        try makePackage(at: second.path + "/somewhere/else")
        #expect(keys(at: first.path + "/a") == keys(at: second.path + "/somewhere/else"))
    }

    @Test func aChangeReachesExactlyTheTargetsThatDependOnIt() throws {
        let directory = try TemporaryDirectory()
        try makePackage(at: directory.path)
        let before = keys(at: directory.path)
        try makePackage(at: directory.path, libValue: "2")
        let after = keys(at: directory.path)
        #expect(before["LibTests"] != after["LibTests"])
        #expect(before["OtherTests"] == after["OtherTests"])
    }

    @Test func cacheableOptionsAndBuildOptionsAreInTheKeyButJobsIsNot() throws {
        let directory = try TemporaryDirectory()
        try makePackage(at: directory.path)
        let base = keys(at: directory.path)
        var filtered = TestOptions()
        filtered.filters = ["x"]
        #expect(keys(at: directory.path, test: filtered) != base)
        var verbose = TestOptions()
        verbose.verbose = true
        #expect(keys(at: directory.path, test: verbose) != base)
        var jobs = TestOptions()
        jobs.jobs = 17
        #expect(keys(at: directory.path, test: jobs) == base)
        var release = BuildOptions()
        release.configuration = "release"
        #expect(keys(at: directory.path, build: release) != base)
        var flagged = BuildOptions()
        flagged.swiftcFlags = ["-DFOO"]
        #expect(keys(at: directory.path, build: flagged) != base)
    }

    @Test func buildVariablesAreAlwaysInputsAndTheRestOnlyWhenAManifestReadsThem() throws {
        let plain = try TemporaryDirectory()
        try makePackage(at: plain.path)
        let base = keys(at: plain.path, environment: ["HOME": "/a", "FEATURE": "1"])
        #expect(keys(at: plain.path, environment: ["HOME": "/b", "FEATURE": "2", "SHLVL": "3"]) == base)
        #expect(keys(at: plain.path, environment: ["HOME": "/a", "FEATURE": "1", "CC": "clang"]) != base)
        #expect(keys(at: plain.path, environment: ["HOME": "/a", "FEATURE": "1", "SWIFTCI_USE_LOCAL_DEPS": "1"]) != base)

        let reading = try TemporaryDirectory()
        try makePackage(at: reading.path, manifest: #"let flag = ProcessInfo.processInfo.environment["FEATURE"]"#)
        let readingBase = keys(at: reading.path, environment: ["FEATURE": "1", "PWD": "/x"])
        #expect(keys(at: reading.path, environment: ["FEATURE": "2", "PWD": "/x"]) != readingBase)
        // Variables that only tell one shell or job from another still do not count.
        #expect(keys(at: reading.path, environment: ["FEATURE": "1", "PWD": "/y", "SHLVL": "2", "SWIFT_TESTCACHE_DEBUG": "test"]) == readingBase)
    }

    @Test func aDependencyManifestThatReadsTheEnvironmentMakesItAnInput() throws {
        let directory = try TemporaryDirectory()
        try makePackage(at: directory.path)
        let checkout = directory.path + "/.build/checkouts/dep"
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try Data("// plain\n".utf8).write(to: URL(fileURLWithPath: checkout + "/Package.swift"))
        #expect(keys(at: directory.path, environment: ["FEATURE": "1"]) == keys(at: directory.path, environment: ["FEATURE": "2"]))
        try Data(#"let x = Context.environment["FEATURE"]"#.utf8).write(to: URL(fileURLWithPath: checkout + "/Package.swift"))
        #expect(keys(at: directory.path, environment: ["FEATURE": "1"]) != keys(at: directory.path, environment: ["FEATURE": "2"]))
    }

    @Test func onlyTheVariablesAManifestReadsByNameCount() throws {
        let reading = try TemporaryDirectory()
        try makePackage(at: reading.path, manifest: """
            // The environment decides nothing else: OTHER is named only in this comment.
            let flag = ProcessInfo.processInfo.environment["FEATURE"]
            """)
        let base = keys(at: reading.path, environment: ["FEATURE": "1", "OTHER": "a"])
        #expect(keys(at: reading.path, environment: ["FEATURE": "1", "OTHER": "b", "GITHUB_SHA": "c"]) == base)
        #expect(keys(at: reading.path, environment: ["FEATURE": "2", "OTHER": "a"]) != base)
        #expect(keys(at: reading.path, environment: ["FEATURE": "", "OTHER": "a"]) != keys(at: reading.path, environment: ["OTHER": "a"]),
            "set but empty is not unset")

        // A read whose name cannot be known makes every variable count, but the shell's.
        let iterating = try TemporaryDirectory()
        try makePackage(at: iterating.path, manifest: "for (name, _) in Context.environment { print(name) }")
        let whole = keys(at: iterating.path, environment: ["OTHER": "a", "PWD": "/x"])
        #expect(keys(at: iterating.path, environment: ["OTHER": "b", "PWD": "/x"]) != whole)
        #expect(keys(at: iterating.path, environment: ["OTHER": "a", "PWD": "/y"]) == whole)
    }

    @Test func theCacheIsOffForNonCacheableOptions() {
        var options = TestOptions()
        #expect(options.cacheDisabledReason == nil)
        options.count = 1
        #expect(options.cacheDisabledReason == "--count")
        options = TestOptions()
        options.passthrough = ["--foo"]
        #expect(options.cacheDisabledReason == "arguments after --")
        options = TestOptions()
        options.execWrapper = ["valgrind"]
        #expect(options.cacheDisabledReason == "--exec")
    }
}

@Suite struct BuildSystemTests {
    @Test func theDefaultIsReadFromSwiftBuildsHelp() {
        let help = Array("""
              --build-system <build-system>
                                      Specify the build system to use. (default: swiftbuild)
                    native            - Native Build System
            """.utf8)
        #expect(Toolchain.defaultBuildSystem(inHelp: help) == .swiftbuild)
        #expect(Toolchain.defaultBuildSystem(inHelp: Array(help.map { $0 }).replacing(Array("swiftbuild)".utf8), with: Array("native)".utf8))) == .native)
        // A SwiftPM without the option (before 6.1), or with one this tool does not know, builds natively.
        #expect(Toolchain.defaultBuildSystem(inHelp: Array("  --configuration <c>  (default: debug)\n".utf8)) == .native)
        #expect(Toolchain.defaultBuildSystem(inHelp: Array("--build-system <b>  (default: xcode)".utf8)) == .native)
    }

    @Test func aCrashedBuildIsToldFromAFailedOne() {
        #expect(CrashRetryingRunner.crash(.signaled(11), output: []) == "signal 11 (SIGSEGV)")
        let crashed = Array("Pre-planning 1 / 270\n*** Program crashed: Bad pointer dereference at 0x7 ***\nThread 0\n".utf8)
        #expect(CrashRetryingRunner.crash(.exited(1), output: crashed) == "Bad pointer dereference at 0x7")
        let failed = Array("P1.swift:1:21: error: cannot convert value\n".utf8)
        #expect(CrashRetryingRunner.crash(.exited(1), output: failed) == nil)
        #expect(CrashRetryingRunner.crash(.exited(0), output: crashed) == nil)
    }

    @Test func aCommandThatCrashesIsRunAgainUpToTheBoundAndOneThatFailsIsNot() async throws {
        let bound = CrashRetryingRunner.attempts
        for crashes in [0, 1, bound - 1, bound, bound + 2] {
            let tool = CrashingTool(crashes: crashes)
            let notes = Mutex<[String]>([])
            let runner = CrashRetryingRunner(base: tool, note: { line in notes.withLock { $0.append(line) } })
            let merged = try await runner.runMerged(
                "/x/swift", ["build", "--build-tests"], workingDirectory: nil, environment: [:], timeout: .seconds(9), stream: nil)
            let made = min(crashes, bound - 1) + 1
            #expect(tool.runs == made, "\(crashes) crashes")
            #expect(notes.withLock { $0.count } == min(crashes, bound), "\(crashes) crashes: \(notes.withLock { $0 })")
            if crashes < bound {
                #expect(merged.termination == .exited(0))
                #expect(notes.withLock { $0.first } == (crashes == 0 ? nil : "swift build crashed (Bad pointer dereference at 0x1); running it again (attempt 2 of \(bound))"))
            } else {
                // Every run crashed: the last crash is what the caller gets and shows.
                #expect(merged.termination == .exited(1) && String(decoding: merged.output, as: UTF8.self).contains("crash \(bound)"))
                #expect(notes.withLock { $0.last } == "swift build crashed (Bad pointer dereference at 0x\(bound)) on each of \(bound) attempts; giving up")
            }
        }
        // capture sees the banner on either stream, and a signal.
        let captured = CrashingTool(crashes: 2, bySignal: true)
        let runner = CrashRetryingRunner(base: captured, note: { _ in })
        let result = try await runner.capture("/x/swift", ["package", "describe"], workingDirectory: nil, environment: [:])
        #expect(result.termination == .exited(0) && captured.runs == 3)
        // A failure that is not a crash is returned at once: the package is what failed.
        let failing = CrashingTool(crashes: 0, failsAfter: true)
        _ = try await CrashRetryingRunner(base: failing, note: { _ in }).runMerged(
            "/x/swift", ["build"], workingDirectory: nil, environment: [:], timeout: .seconds(9), stream: nil)
        #expect(failing.runs == 1)
    }

    @Test func aCommandStoppedBecauseItsTaskWasCancelledIsNeitherRunAgainNorNoted() async throws {
        // As `swift package describe`, started beside `swift --version` and cancelled when the description
        // was remembered after all: the process ends by the signal its cancellation sent.
        let tool = CrashingTool(crashes: CrashRetryingRunner.attempts, bySignal: true)
        let notes = Mutex<[String]>([])
        let runner = CrashRetryingRunner(base: tool, note: { line in notes.withLock { $0.append(line) } })
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.capture("/x/swift", ["package", "describe"], workingDirectory: nil, environment: [:])
        }
        let result = try await task.value
        #expect(result.termination != .exited(0))
        #expect(tool.runs == 1)
        #expect(notes.withLock { $0 }.isEmpty)
    }
}

/// The toolchain's runtime libraries are keyed by their build IDs, read from the files, not by the version.
@Suite struct ToolchainRuntimeTests {
    /// A minimal 64-bit ELF file whose one PT_NOTE program header points at a GNU build ID note.
    static func elf(buildID: [UInt8]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var header = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56)
        header.replaceSubrange(0x20..<0x28, with: le(UInt64(64)))  // e_phoff
        header.replaceSubrange(0x36..<0x38, with: le(UInt16(56)))  // e_phentsize
        header.replaceSubrange(0x38..<0x3A, with: le(UInt16(1)))   // e_phnum
        // The description is padded to 4 bytes, as the linker pads it.
        let note = le(UInt32(4)) + le(UInt32(UInt32(buildID.count))) + le(UInt32(3)) + Array("GNU\0".utf8) + buildID
            + [UInt8](repeating: 0, count: (4 - buildID.count % 4) % 4)
        var program = le(UInt32(4)) + le(UInt32(4)) + le(UInt64(120)) + le(UInt64(0)) + le(UInt64(0))
        program += le(UInt64(note.count)) + le(UInt64(note.count)) + le(UInt64(4))
        return header + program + note
    }

    @Test func aBuildIDIsReadFromTheNotesAndALibraryReplacedInPlaceIsANewIdentity() throws {
        #expect(ToolchainRuntime.buildID(inHeader: Self.elf(buildID: [0xB5, 0x21, 0x0F])) == "b5210f")
        #expect(ToolchainRuntime.buildID(inHeader: Array("not an ELF file".utf8)) == nil)

        let directory = try TemporaryDirectory()
        let swift = directory.path + "/usr/bin/swift"
        let library = directory.path + "/usr/lib/swift/linux/libXCTest.so"
        try FileManager.default.createDirectory(atPath: directory.path + "/usr/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/usr/lib/swift/linux", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: swift, contents: Data())
        try Data(Self.elf(buildID: [1, 2, 3, 4])).write(to: URL(fileURLWithPath: library))
        // A library without a build ID is known by its bytes.
        try Data("plain".utf8).write(to: URL(fileURLWithPath: directory.path + "/usr/lib/swift/linux/libPlain.so"))
        let first = ToolchainRuntime.identity(swiftPath: swift)
        #expect(first == "runtime libPlain.so sha256:\(OutputID(of: Array("plain".utf8)).hex)\nruntime libXCTest.so 01020304\n")
        try Data(Self.elf(buildID: [1, 2, 3, 5])).write(to: URL(fileURLWithPath: library))
        #expect(ToolchainRuntime.identity(swiftPath: swift).hasSuffix("runtime libXCTest.so 01020305\n"))

        let toolchain = Toolchain(swiftPath: swift, identity: "Swift version 6.3.1\nTarget: x86_64\n" + first)
        #expect(toolchain.identityFields.map { "\($0.field.name)=\($0.value)" } == [
            "toolchain=Swift version 6.3.1\nTarget: x86_64\n",
            "toolchain runtime libPlain.so=sha256:\(OutputID(of: Array("plain".utf8)).hex)",
            "toolchain runtime libXCTest.so=01020304",
        ])
    }

    @Test func theInstalledToolchainsRuntimeHasBuildIDs() throws {
        // The toolchain these tests run with: each of its runtime libraries has a build ID in its first pages.
        let swift = try #require(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { $0 + "/swift" }
                .first { FileManager.default.isExecutableFile(atPath: $0) })
        let resolved = URL(fileURLWithPath: swift).resolvingSymlinksInPath().path
        let libraries = ToolchainRuntime.libraries(swiftPath: resolved)
        #expect(libraries.contains { $0.name == "libswiftCore.so" }, "\(libraries.map(\.name))")
        for library in libraries {
            #expect(ToolchainRuntime.buildID(ofFileAt: library.path)?.count == 40, "\(library.name)")
        }
    }
}

/// A `swift` that crashes `crashes` times (the runtime's banner, or a signal) and then exits 0, or 1
/// without crashing when `failsAfter`.
private final class CrashingTool: ProcessRunning {
    private let state = Mutex(0)
    let crashes: Int
    let bySignal: Bool
    let failsAfter: Bool

    init(crashes: Int, bySignal: Bool = false, failsAfter: Bool = false) {
        self.crashes = crashes
        self.bySignal = bySignal
        self.failsAfter = failsAfter
    }

    var runs: Int { state.withLock { $0 } }

    private func next() -> (Termination, [UInt8]) {
        let run = state.withLock { count in
            count += 1
            return count
        }
        guard run > crashes else {
            if bySignal { return (.signaled(11), []) }
            return (.exited(1), Array("Pre-planning 1 / 9\ncrash \(run)\n*** Program crashed: Bad pointer dereference at 0x\(run) ***\n".utf8))
        }
        return failsAfter ? (.exited(1), Array("P1.swift:1:1: error: no\n".utf8)) : (.exited(0), [])
    }

    func capture(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String]
    ) async throws -> (termination: Termination, stdout: [UInt8], stderr: [UInt8]) {
        let (termination, output) = next()
        return (termination, [], output)
    }

    func runMerged(
        _ executable: String, _ arguments: [String], workingDirectory: String?, environment: [String: String],
        timeout: Duration, stream: (@Sendable ([UInt8]) -> Void)?
    ) async throws -> MergedRun {
        let (termination, output) = next()
        return MergedRun(termination: termination, output: output)
    }
}
