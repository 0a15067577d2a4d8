import Foundation
import TestCacheCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input as a watch session's keyboard: each key as it is pressed, without echo.
///
/// Canonical mode and echo are turned off while the session runs and restored after; signals stay on,
/// so Ctrl-C is still SIGINT. Nil when standard input is not a terminal: then no key is read.
final class TerminalKeys: @unchecked Sendable {
    private let descriptor: Int32
    private let saved: termios

    init?(descriptor: Int32 = STDIN_FILENO) {
        guard isatty(descriptor) != 0 else { return nil }
        var attributes = termios()
        guard tcgetattr(descriptor, &attributes) == 0 else { return nil }
        self.descriptor = descriptor
        saved = attributes
    }

    /// Turns canonical mode and echo off and reads keys on a thread of their own into the stream, until
    /// standard input ends.
    func start(into sink: AsyncStream<WatchCommand>.Continuation) {
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { characters in
            characters[Int(VMIN)] = 1
            characters[Int(VTIME)] = 0
        }
        tcsetattr(descriptor, TCSANOW, &raw)
        let descriptor = descriptor
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { break }
                if let command = WatchCommand(key: byte) { sink.yield(command) }
            }
        }
        thread.start()
    }

    /// Puts the terminal back as it was.
    func restore() {
        var attributes = saved
        tcsetattr(descriptor, TCSANOW, &attributes)
    }
}

/// SIGINT and SIGTERM as watch commands: the run in progress is stopped and the session ends, rather
/// than the process dying with its children's groups still running.
final class InterruptSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    func start(into sink: AsyncStream<WatchCommand>.Continuation) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { sink.yield(.interrupt) }
            source.resume()
            sources.append(source)
        }
    }
}

/// The processes below `watch`, so that none outlives a run stopped with Ctrl-C or `q`.
///
/// Stopping a test process's group is not enough: Foundation's `Process` starts each child in a process
/// group of its own, so a test that runs a tool leaves it out of the group's reach, and when the test
/// process goes its children are orphans. `watch` adopts its orphans (Linux's child subreaper), so that
/// everything a run started stays below it, and stops what is left when a run is stopped.
enum Descendants {
    /// How long the processes left get to end after SIGTERM before SIGKILL: as long as a test process's
    /// group gets (`CommandRunner.cancelGrace`).
    static let grace: Duration = .seconds(2)

    /// Makes `watch` the parent of every orphan below it. Process-wide, so the command, not the engine, asks.
    static func adoptOrphans() {
        #if os(Linux)
        // prctl is variadic, which Swift does not import: called through its address with the four
        // integer arguments it reads, as the C ABI passes them the same.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        /// `PR_SET_CHILD_SUBREAPER` in <linux/prctl.h>, which Glibc's module does not export.
        let setChildSubreaper: Int32 = 36
        guard let symbol = dlsym(nil, "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(setChildSubreaper, 1, 0, 0, 0)
        #endif
    }

    /// Every process below this one, by the parent links in /proc, each with its start time (against a
    /// pid reused by the time it is signalled).
    static func list() -> [(pid: pid_t, started: String)] {
        #if os(Linux)
        var children: [pid_t: [(pid: pid_t, started: String)]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command's name: state, parent, …, the start time is the 20th field.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 19, let parent = pid_t(fields[1]) else { continue }
            children[parent, default: []].append((pid, String(fields[19])))
        }
        var found: [(pid: pid_t, started: String)] = []
        var queue = [getpid()]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                found.append(child)
                queue.append(child.pid)
            }
        }
        return found
        #else
        return []
        #endif
    }

    /// Stops every process below this one: SIGTERM, then SIGKILL to those still there after ``grace``;
    /// each is reaped.
    static func stopAll() async {
        let left = list()
        guard !left.isEmpty else { return }
        for process in left { kill(process.pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        var alive = left
        while !alive.isEmpty {
            for process in alive { _ = waitpid(process.pid, nil, WNOHANG) }
            let now = Set(list().map { "\($0.pid) \($0.started)" })
            alive = alive.filter { now.contains("\($0.pid) \($0.started)") }
            if alive.isEmpty || ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        for process in alive {
            kill(process.pid, SIGKILL)
            _ = waitpid(process.pid, nil, 0)
        }
    }
}
