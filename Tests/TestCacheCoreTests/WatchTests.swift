import Foundation
import Synchronization
import Testing
@testable import TestCacheCore
import TestCacheStore

/// A value shared with closures that run on other threads.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func update(_ change: (inout Value) -> Void) { mutex.withLock { change(&$0) } }
}

/// `watch`'s parts without a package: what counts as a change, the watcher on a real directory, the keys,
/// and the session's loop with a run that only records what it was asked.
@Suite struct WatchPartsTests {
    /// A scope as the keys of a small package would leave it: one target's sources, a header, a traced
    /// file, a listed directory, and a local dependency beside the package.
    static func scope(everything: Bool = false, skipping: [String] = ["/p/.build", "/p/store"]) -> WatchScope {
        var consulted = ConsultedPaths()
        consulted.trees = ["Sources/Lib", "Tests/LibTests", "/elsewhere/Dependency"]
        consulted.files = ["Package.swift", "Sources/include/lib.h", "Tests/Fixtures/input.json"]
        consulted.listings = ["Tests/Fixtures/listed"]
        return WatchScope(root: "/p", consulted: consulted, everything: everything, skipping: skipping)
    }

    @Test func whatTheKeysConsultedCountsAndNothingElse() {
        let scope = Self.scope()
        // Sources of a target, a file hashed alone, an entry of a listed directory, the pins.
        for path in [
            "/p/Sources/Lib/A.swift", "/p/Sources/Lib/Deep/B.swift", "/p/Tests/LibTests/T.swift", "/p/Sources/include/lib.h",
            "/p/Tests/Fixtures/input.json", "/p/Tests/Fixtures/listed/new.txt", "/p/Tests/Fixtures/listed",
            "/p/Package.resolved", "/p/Package@swift-6.0.swift", "/p/Sources/Lib",
        ] {
            #expect(scope.counts(path), "\(path)")
        }
        // What no key read: a README, another fixture, a sibling directory whose name shares a prefix.
        for path in ["/p/README.md", "/p/Tests/Fixtures/other.json", "/p/Sources/LibExtras/C.swift", "/p/Sources/include/other.h"] {
            #expect(!scope.counts(path), "\(path)")
        }
    }

    @Test func buildOutputVersionControlAndTheStoreNeverCount() {
        for everything in [false, true] {
            let scope = Self.scope(everything: everything)
            for path in [
                "/p/.build/debug/Lib.o", "/p/.build", "/p/.git/index", "/p/.swiftpm/config", "/p/Sources/Lib/.build/x",
                "/p/.index-build/y", "/p/store/objects/ab", "/elsewhere/Dependency/.git/HEAD",
            ] {
                #expect(!scope.counts(path), "\(path), everything: \(everything)")
            }
            #expect(scope.skips(directory: "/p/.build") && scope.skips(directory: "/p/store") && scope.skips(directory: "/p/x/.git"))
            #expect(!scope.skips(directory: "/p/Sources") && !scope.skips(directory: "/p/storefront"))
        }
    }

    @Test func whenSomeInputsAreNotKnownEveryFileOfThePackageCounts() {
        let scope = Self.scope(everything: true)
        #expect(scope.counts("/p/README.md") && scope.counts("/p/Tests/Fixtures/other.json"))
        #expect(!scope.counts("/somewhere/else.txt"))
        #expect(scope.summary.hasPrefix("every file"))
    }

    @Test func treesOutsideThePackageAreWatchedOnceEach() {
        var consulted = ConsultedPaths()
        consulted.trees = ["/elsewhere/Dependency", "/elsewhere/Dependency/Sources", "Sources/Lib", "/other"]
        let scope = WatchScope(root: "/p/", consulted: consulted, everything: false, skipping: [])
        #expect(scope.roots == ["/p", "/elsewhere/Dependency", "/other"])
        #expect(scope.counts("/elsewhere/Dependency/Sources/D.swift"))
        #expect(!scope.counts("/elsewhere/README.md"))
    }

    @Test func keysAreJests() {
        #expect(WatchCommand(key: UInt8(ascii: "a")) == .all)
        #expect(WatchCommand(key: UInt8(ascii: "f")) == .failed)
        #expect(WatchCommand(key: UInt8(ascii: "\r")) == .again && WatchCommand(key: UInt8(ascii: "\n")) == .again)
        #expect(WatchCommand(key: UInt8(ascii: "q")) == .quit)
        #expect(WatchCommand(key: UInt8(ascii: "x")) == nil && WatchCommand(key: 3) == nil)
    }

    @Test func describingATriggerNamesTheFirstPathAndCountsTheRest() throws {
        let session = WatchSession(run: { _ in 0 }, scope: { Self.scope() }, write: { _ in }, warn: { _ in })
        #expect(session.describe(["/p/A.swift"], root: "/p", suffix: "changed") == "A.swift changed")
        #expect(session.describe(["/p/A.swift", "/p/A.swift", "/p/B.swift", "/q/C"], root: "/p", suffix: "changed") == "A.swift and 2 more changed")
        // An editor's temporary file, renamed over the source: the source is named.
        let directory = NSTemporaryDirectory() + "testcache-describe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/A.swift", contents: Data())
        #expect(session.describe([directory + "/sedX1b2c3", directory + "/A.swift"], root: directory, suffix: "changed") == "A.swift and 1 more changed")
    }
}

/// The watcher on a real directory: inotify, and the scan it falls back to.
@Suite struct FileWatcherTests {
    /// The first batch that names `path`, collected for at most `timeout`; every path seen on the way.
    static func waitFor(_ path: String, in watcher: FileWatcher, timeout: Duration = .seconds(10)) async -> [String] {
        let seen = Shared<[String]>([])
        let found = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await batch in watcher.changes {
                    seen.update { $0 += batch }
                    if batch.contains(path) { return true }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            watcher.stop()
            return first
        }
        return found ? seen.value : []
    }

    @Test func inotifySeesAWriteANewDirectoryAndNothingUnderASkippedOne() async throws {
        let root = try makeTemporaryTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let warnings = Shared<[String]>([])
        let watcher = FileWatcher(roots: [root], skips: { $0.hasSuffix("/.build") }, warn: { w in warnings.update { $0.append(w) } })
        #expect(watcher.method == "inotify")
        // Written under the skipped directory first: it must not be reported before the source is.
        try Data("o".utf8).write(to: URL(fileURLWithPath: root + "/.build/out.o"))
        try FileManager.default.createDirectory(atPath: root + "/Sources/New", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/Sources/New/A.swift"))
        let seen = await Self.waitFor(root + "/Sources/New/A.swift", in: watcher)
        #expect(!seen.isEmpty, "the new file in a new directory was never reported")
        #expect(!seen.contains { $0.contains("/.build") }, "\(seen)")
        #expect(warnings.value.isEmpty)
    }

    @Test func whenWatchesRunOutItScansAndSaysSo() async throws {
        let root = try makeTemporaryTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let warnings = Shared<[String]>([])
        // The tree has three directories that count; one watch is not enough.
        let watcher = FileWatcher(roots: [root], skips: { $0.hasSuffix("/.build") }, watchLimit: 1, warn: { w in warnings.update { $0.append(w) } })
        #expect(watcher.method.hasPrefix("polling"), "\(watcher.method)")
        #expect(warnings.value.contains { $0.contains("scanning for changes") }, "\(warnings.value)")
        try await Task.sleep(for: .milliseconds(100))
        try Data("changed, and longer".utf8).write(to: URL(fileURLWithPath: root + "/Sources/Lib/A.swift"))
        let seen = await Self.waitFor(root + "/Sources/Lib/A.swift", in: watcher)
        #expect(!seen.isEmpty, "the scan never reported the change")
    }

    /// `root/Sources/Lib/A.swift` and an empty `root/.build`.
    private func makeTemporaryTree() throws -> String {
        let root = NSTemporaryDirectory() + "testcache-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/Sources/Lib", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/.build", withIntermediateDirectories: true)
        try Data("a".utf8).write(to: URL(fileURLWithPath: root + "/Sources/Lib/A.swift"))
        return root
    }
}

/// The session's loop on a real directory, with a run that records what it was asked.
@Suite struct WatchSessionTests {
    /// A package-shaped temporary directory whose every file counts but build output.
    final class Harness: Sendable {
        let root = NSTemporaryDirectory() + "testcache-session-\(UUID().uuidString)"
        let runs = Shared<[WatchRun]>([])
        let screen = Shared<String>("")
        let commands: AsyncStream<WatchCommand>
        let press: AsyncStream<WatchCommand>.Continuation

        init() throws {
            try FileManager.default.createDirectory(atPath: root + "/Sources", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/.build", withIntermediateDirectories: true)
            (commands, press) = AsyncStream<WatchCommand>.makeStream()
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        var scope: WatchScope { WatchScope(root: root, consulted: ConsultedPaths(), everything: true, skipping: []) }

        func session(status: Int32 = 0, runTakes: Duration = .zero) -> WatchSession {
            var session = WatchSession(
                run: { [runs] request in
                    runs.update { $0.append(request) }
                    try await Task.sleep(for: runTakes)
                    return status
                },
                scope: { [root] in WatchScope(root: root, consulted: ConsultedPaths(), everything: true, skipping: []) },
                write: { [screen] text in screen.update { $0 += text } }, warn: { _ in })
            session.clears = false
            return session
        }

        func write(_ name: String) throws {
            try Data(UUID().uuidString.utf8).write(to: URL(fileURLWithPath: root + "/" + name))
        }

        /// Waits until `condition` holds of the runs so far, at most ten seconds.
        func waitForRuns(_ condition: ([WatchRun]) -> Bool) async -> Bool {
            for _ in 0..<200 {
                if condition(runs.value) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }

    @Test func severalSavesWithinTheDebounceAreOneRunAndBuildOutputIsNone() async throws {
        let harness = try Harness()
        // A second rather than the default: the test's pauses must stay within it on a machine busy with
        // other tests.
        var slower = harness.session()
        slower.debounce = .seconds(1)
        let session = slower
        async let status = session.start(first: harness.scope, commands: harness.commands)
        #expect(await harness.waitForRuns { $0.count == 1 })
        try await Task.sleep(for: .milliseconds(300))
        try harness.write(".build/out.o")
        try await Task.sleep(for: session.debounce * 3)
        #expect(harness.runs.value.count == 1, "a write under .build started a run")
        // Three saves one after another, each well within the debounce of the one before: no pause between
        // them that a machine busy with other tests could stretch past it (100 ms pauses once did, in CI).
        for name in ["Sources/A.swift", "Sources/B.swift", "Sources/C.swift"] {
            try harness.write(name)
        }
        #expect(await harness.waitForRuns { $0.count == 2 })
        try await Task.sleep(for: session.debounce * 3)
        #expect(harness.runs.value.count == 2, "\(harness.screen.value)")
        #expect(harness.screen.value.contains("Sources/A.swift and 2 more changed"), "\(harness.screen.value)")
        harness.press.yield(.quit)
        #expect(try await status == 0)
    }

    @Test func aChangeDuringARunIsOneMoreRunAfterIt() async throws {
        let harness = try Harness()
        // Long enough that the save below lands during the run even on a machine busy with other tests.
        let session = harness.session(runTakes: .seconds(4))
        async let status = session.start(first: harness.scope, commands: harness.commands)
        #expect(await harness.waitForRuns { $0.count == 1 })
        try harness.write("Sources/A.swift")
        #expect(await harness.waitForRuns { $0.count == 2 })
        #expect(harness.screen.value.contains("changed during the last run"), "\(harness.screen.value)")
        try await Task.sleep(for: .seconds(4.5))
        #expect(harness.runs.value.count == 2)
        harness.press.yield(.quit)
        #expect(try await status == 0)
    }

    @Test func keysAskForTheirRunsAndAnInterruptStopsARunWith130() async throws {
        let harness = try Harness()
        let session = harness.session(status: 1)
        let status = Task { try await session.start(first: harness.scope, commands: harness.commands) }
        #expect(await harness.waitForRuns { $0.count == 1 })
        // Each key waits for the run before it to end: the footer is its last line.
        func press(_ command: WatchCommand, expecting count: Int) async {
            for _ in 0..<500 where harness.screen.value.components(separatedBy: "[watch] FAIL").count < count + 1 {
                try? await Task.sleep(for: .milliseconds(20))
            }
            harness.press.yield(command)
            #expect(await harness.waitForRuns { $0.count == count + 1 }, "\(command)")
        }
        await press(.failed, expecting: 1)
        await press(.all, expecting: 2)
        await press(.again, expecting: 3)
        let runs = harness.runs.value
        #expect(runs[1] == WatchRun(everyTarget: false, onlyFailed: true))
        #expect(runs[2] == WatchRun(everyTarget: true, onlyFailed: false))
        #expect(runs[3] == WatchRun(everyTarget: true, onlyFailed: false), "Enter repeats the last selection")
        harness.press.yield(.interrupt)
        #expect(try await status.value == WatchSession.interruptedStatus)
    }
}
