import Foundation
import TestCacheStore

/// What a person asks of a watch session, from the keyboard or a signal.
public enum WatchCommand: Sendable, Equatable {
    /// `a`: every test target of the package, whatever the command line selected (through the cache).
    case all
    /// `f`: only the tests the last run left failing.
    case failed
    /// Enter: the same run again.
    case again
    /// `q`: stop, exit 0.
    case quit
    /// Ctrl-C (SIGINT) or SIGTERM: stop what runs, exit 130.
    case interrupt

    /// The command a key stands for, Jest's keys; nil for any other.
    public init?(key: UInt8) {
        switch key {
        case UInt8(ascii: "a"): self = .all
        case UInt8(ascii: "f"): self = .failed
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"): self = .again
        case UInt8(ascii: "q"): self = .quit
        default: return nil
        }
    }
}

/// One run a watch session asks for.
public struct WatchRun: Sendable, Equatable {
    /// Every test target of the package rather than the command line's selection.
    public var everyTarget = false
    /// Only what the last run of that selection left failing (`--rerun-failed`).
    public var onlyFailed = false
}

/// `swift-testcache watch`: runs the tests, then waits for a change that can change a result (or a key),
/// and runs them again through the cache, so that only what a save affects is built and run.
///
/// The session knows nothing of terminals or of the command line: it is given how to run and how to
/// learn the scope, the commands a person gives, and where to write its screen.
public struct WatchSession: Sendable {
    /// Runs the tests as asked; gives the exit status, or throws for bad input.
    public var run: @Sendable (WatchRun) async throws -> Int32
    /// What can change a result now (``TestEngine/watchScope()``).
    public var scope: @Sendable () async throws -> WatchScope
    /// Writes to the screen.
    public var write: @Sendable (String) -> Void
    /// Says something that is not the screen's (a fallback to scanning).
    public var warn: @Sendable (String) -> Void
    /// Whether each run starts on a cleared screen.
    public var clears = true
    /// Whether keys are read (standard input is a terminal): the footer says which.
    public var keys = true
    /// How long the files must be quiet after a change that counts before a run starts: an editor's
    /// "save all" or a formatter on save writes several files within tens of milliseconds, and a
    /// person does not notice a fifth of a second.
    public var debounce: Duration = Self.defaultDebounce

    /// See ``debounce``.
    public static let defaultDebounce: Duration = .milliseconds(200)
    /// The debounce as help says it.
    public static var defaultDebounceDescription: String { "\(defaultDebounce.components.attoseconds / 1_000_000_000_000_000) ms" }
    /// At most this many inotify watches (tests make it small to see the fallback); nil for the system's.
    public var watchLimit: Int?

    public init(
        run: @escaping @Sendable (WatchRun) async throws -> Int32, scope: @escaping @Sendable () async throws -> WatchScope,
        write: @escaping @Sendable (String) -> Void, warn: @escaping @Sendable (String) -> Void
    ) {
        self.run = run
        self.scope = scope
        self.write = write
        self.warn = warn
    }

    /// The exit status of a session a person stopped with Ctrl-C: the shell's 128 + SIGINT.
    public static let interruptedStatus: Int32 = 130

    /// What the loop hears: from the watcher, the person, a run, or the debounce timer.
    private enum Event: Sendable {
        case changed([String])
        case command(WatchCommand)
        case finished(Result<Int32, any Error>)
        case quiet(generation: Int)
    }

    /// Runs until `q` (0) or an interrupt (130). `commands` are the person's; `initial` is the scope
    /// before the first run (computing it validates the package and the selection).
    ///
    /// - Throws: what the first run throws (bad input: the caller reports it and exits 2). A later run's
    ///   error (a manifest saved broken) is shown, and the session waits for the next change.
    public func start(first initial: WatchScope, commands: AsyncStream<WatchCommand>) async throws -> Int32 {
        let (events, sink) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
        let forwarding = Task {
            for await command in commands { sink.yield(.command(command)) }
        }
        defer { forwarding.cancel() }

        var scope = initial
        var watcher = watch(scope, into: sink)
        defer { watcher.stop() }
        var runNumber = 0
        var running: Task<Void, Never>?
        var lastRun = WatchRun()
        var lastFailed = false
        /// Paths that counted (or came during a run) since the last run started.
        var pending: [String] = []
        var generation = 0
        var stopping: Int32?

        func begin(_ request: WatchRun, trigger: String) {
            runNumber += 1
            if clears { write("\u{1B}[H\u{1B}[2J\u{1B}[3J") }
            write("[watch] run \(runNumber): \(trigger)\n")
            lastRun = request
            pending = []
            running = Task { [run] in
                let result: Result<Int32, any Error>
                do { result = .success(try await run(request)) } catch { result = .failure(error) }
                sink.yield(.finished(result))
            }
        }

        begin(WatchRun(), trigger: "first run")
        for await event in events {
            switch event {
            case .changed(let paths):
                if running != nil {
                    // Judged when the run ends, against what it consulted too.
                    pending += paths
                } else {
                    let counted = paths.filter(scope.counts)
                    guard !counted.isEmpty else { continue }
                    pending += counted
                    generation += 1
                    let current = generation
                    Task { [debounce] in
                        try? await Task.sleep(for: debounce)
                        sink.yield(.quiet(generation: current))
                    }
                }
            case .quiet(let quietGeneration):
                guard quietGeneration == generation, running == nil, !pending.isEmpty else { continue }
                begin(WatchRun(everyTarget: false), trigger: describe(pending, root: scope.root, suffix: "changed"))
            case .command(let command):
                switch command {
                case .quit, .interrupt:
                    let status = command == .quit ? 0 : Self.interruptedStatus
                    guard let running else { return finish(status) }
                    // The run's processes are stopped (their groups signalled) as its task is cancelled.
                    write("\n[watch] stopping the run in progress…\n")
                    stopping = status
                    running.cancel()
                case .all, .again, .failed:
                    guard running == nil, keys else { continue }
                    switch command {
                    case .all: begin(WatchRun(everyTarget: true), trigger: "a: every test target")
                    case .failed:
                        // A run that replayed everything records no failures: the session knows it passed.
                        guard lastFailed else {
                            write("[watch] f: the last run had no failures; nothing to rerun\n")
                            continue
                        }
                        begin(WatchRun(everyTarget: lastRun.everyTarget, onlyFailed: true), trigger: "f: the tests that failed last")
                    default: begin(WatchRun(everyTarget: lastRun.everyTarget), trigger: "Enter: run again")
                    }
                }
            case .finished(let result):
                running = nil
                if let stopping { return finish(stopping) }
                let failed: Bool
                switch result {
                case .success(let status): failed = status != 0
                case .failure(let error):
                    if runNumber == 1 && lastRun == WatchRun() { throw error }
                    write("error: \((error as? TestCacheError)?.message ?? "\(error)")\n")
                    failed = true
                }
                // What the keys consult now: a result just stored adds what its tests read.
                var next = (try? await self.scope()) ?? scope.everythingCounts
                if case .failure = result { next = next.everythingCounts }
                if next.roots != scope.roots {
                    watcher.stop()
                    watcher = watch(next, into: sink)
                }
                let previous = scope
                scope = next
                lastFailed = failed
                write(footer(failed: failed, scope: next))
                let counted = pending.filter { previous.counts($0) || next.counts($0) }
                pending = []
                if !counted.isEmpty {
                    begin(WatchRun(), trigger: describe(counted, root: scope.root, suffix: "changed during the last run"))
                }
            }
        }
        return finish(stopping ?? 0)
    }

    /// Watches the scope's roots, its changes forwarded as events.
    private func watch(_ scope: WatchScope, into sink: AsyncStream<Event>.Continuation) -> FileWatcher {
        let watcher = FileWatcher(roots: scope.roots, skips: { [scope] in scope.skips(directory: $0) }, watchLimit: watchLimit, warn: warn)
        Task {
            for await paths in watcher.changes { sink.yield(.changed(paths)) }
        }
        return watcher
    }

    private func finish(_ status: Int32) -> Int32 {
        write("[watch] stopped\n")
        return status
    }

    /// The line under each run: how it came out, what is watched, and the keys.
    private func footer(failed: Bool, scope: WatchScope) -> String {
        let keysLine = keys
            ? "press a to run every test target, f to rerun the failed tests, Enter to run again, q to quit"
            : "keys are off (standard input is not a terminal); Ctrl-C stops"
        return "[watch] \(failed ? "FAIL" : "PASS"); watching \(scope.summary)\n[watch] \(keysLine)\n"
    }

    /// "Sources/A.swift changed", "Sources/A.swift and 2 more changed": paths relative to the root, one
    /// that still exists named first (an editor saves through a temporary file it renames, which is gone).
    func describe(_ paths: [String], root: String, suffix: String) -> String {
        var seen: Set<String> = []
        let distinct = paths.filter { seen.insert($0).inserted }
        let present = distinct.filter { FileSystem.status(atPath: $0) != nil }
        let unique = (present + distinct.filter { !present.contains($0) })
            .map { $0.hasPrefix(root + "/") ? String($0.dropFirst(root.count + 1)) : $0 }
        guard let first = unique.first else { return suffix }
        return unique.count == 1 ? "\(first) \(suffix)" : "\(first) and \(unique.count - 1) more \(suffix)"
    }
}

extension WatchScope {
    /// The same roots with every file counting: what is known when a run could not say.
    var everythingCounts: WatchScope {
        WatchScope(copying: self, everything: true)
    }
}
