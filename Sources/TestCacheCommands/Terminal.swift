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
