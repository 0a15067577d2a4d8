import Foundation
import Testing
import _TestSupport

/// A real terminal: a tmux server of its own, one window running one command, read as a person sees it.
final class TmuxTerminal {
    private let socket = "stc-\(UUID().uuidString.prefix(8))"

    /// Starts `command` (a shell command line) in `directory` with `environment` on a 200×100 screen.
    init(_ command: String, in directory: String, environment: [String: String]) throws {
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(shellWord($0.value))" }.joined(separator: "; ")
        // The command's exit status stays on the screen after it ends, for the test to read: the shell
        // catches Ctrl-C (its children get the default action back) so that it outlives the command.
        let script = "trap true INT; \(exports); cd \(shellWord(directory)) && \(command); echo \"EXIT=$?\"; sleep 600"
        // The tmux server outlives the client and keeps every descriptor the client had open, among them
        // the one Foundation's Process learns of the client's exit by: the client is started with only
        // standard input, output and error, and those go to a file.
        let log = NSTemporaryDirectory() + "/\(socket).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let closeTheRest = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done"
        let result = try runProgram("/bin/bash", [
            "-c", "log=$1; shift; \(closeTheRest); exec \"$@\" > \"$log\" 2>&1 < /dev/null", "bash", log,
            "tmux", "-L", socket, "new-session", "-d", "-s", "watch", "-x", "200", "-y", "100", "sh", "-c", script,
        ])
        guard result.status == 0 else {
            throw HarnessError("tmux could not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        serverID = (try? tmux(["display-message", "-p", "#{pid}"]).stdout).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The tmux server's process, stopped with the terminal.
    private var serverID: pid_t?

    /// The server inherits the test process's blocked signals (SIGTERM and SIGHUP among them), so neither
    /// `kill-server` nor SIGTERM stops it: SIGKILL does, and the pane's processes get the terminal's hangup.
    deinit {
        if let serverID { kill(serverID, SIGKILL) }
    }

    /// What the screen shows now, trailing blank lines dropped.
    var screen: String {
        let text = (try? tmux(["capture-pane", "-p", "-t", "watch"]).stdout) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
            .reversed().drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }.reversed().joined(separator: "\n")
    }

    /// Types keys as tmux names them (`q`, `Enter`, `C-c`).
    func press(_ key: String) throws {
        _ = try tmux(["send-keys", "-t", "watch", key])
    }

    /// Waits until the screen satisfies `condition`, at most `timeout`; gives the last screen, and
    /// whether it did.
    @discardableResult
    func wait(for timeout: Duration = .seconds(120), until condition: (String) -> Bool) -> (screen: String, met: Bool) {
        let deadline = ContinuousClock.now + timeout
        var shown = screen
        while !condition(shown) {
            guard ContinuousClock.now < deadline else { return (shown, false) }
            Thread.sleep(forTimeInterval: 0.1)
            shown = screen
        }
        return (shown, true)
    }

    private func tmux(_ arguments: [String]) throws -> ProcessResult {
        try runProgram("/usr/bin/env", ["tmux", "-L", socket] + arguments)
    }
}

/// `word` quoted for sh.
private func shellWord(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

extension IntegrationTests {
    /// `swift-testcache watch` driven in a real terminal (tmux), as a person uses it.
    @Suite(.enabled(if: isLinux, "inotify and the read tracer are Linux's")) struct WatchTests {
        /// How many runs the screen says have started: `[watch] run N:` is each run's first line.
        static func runs(_ screen: String) -> Int {
            screen.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("[watch] run ") else { return nil }
                return Int(line.dropFirst("[watch] run ".count).prefix { $0.isNumber })
            }.max() ?? 0
        }

        /// Whether the screen shows run `number` finished: its header and a PASS or FAIL footer after it.
        static func finished(_ screen: String, run number: Int, _ outcome: String) -> Bool {
            guard let header = screen.range(of: "[watch] run \(number):") else { return false }
            return screen[header.upperBound...].contains("[watch] \(outcome);")
        }

        /// The Go-style line of `target` on the screen (a terminal shows its tabs as spaces).
        static func line(_ screen: String, _ target: String) -> String? {
            screen.split(separator: "\n").map(String.init).last { line in
                let words = line.split(whereSeparator: \.isWhitespace)
                return words.count >= 3 && (words[0] == "ok" || words[0] == "FAIL") && words[1] == target
            }
        }

        @Test func aSaveRerunsWhatItAffectsAndTheKeysAndCtrlCWorkInATerminal() throws {
            let fixture = try Fixture("Watch")
            let tool = try builtExecutable("swift-testcache")
            let environment = toolEnvironment(store: fixture.store).filter { $0.key == "SWIFT_TESTCACHE_DIR" || $0.key == "PATH" || $0.key == "HOME" }
            let addSource = "Sources/Arithmetic/Add.swift"
            let original = try String(contentsOfFile: fixture.root + "/" + addSource, encoding: .utf8)

            // Keys on: the first run builds and runs everything.
            var terminal: TmuxTerminal? = try TmuxTerminal(tool + " watch", in: fixture.root, environment: environment)
            var shown = terminal!.wait { Self.finished($0, run: 1, "PASS") }
            #expect(shown.met, "\(shown.screen)")
            #expect(shown.screen.contains("press a to run every test target"), "\(shown.screen)")

            // A save that breaks one test: that test FAILs on screen, the other targets are replayed.
            try fixture.write(addSource, original.replacingOccurrences(of: "a + b", with: "a - b"))
            shown = terminal!.wait { Self.finished($0, run: 2, "FAIL") }
            #expect(shown.met, "\(shown.screen)")
            #expect(shown.screen.contains("[watch] run 2: \(addSource) changed"), "\(shown.screen)")
            #expect(Self.line(shown.screen, "AddTests")?.hasPrefix("FAIL") == true, "\(shown.screen)")
            #expect(Self.line(shown.screen, "SlowTests")?.hasSuffix("(cached)") == true, "\(shown.screen)")
            #expect(shown.screen.contains("addsTwoNumbers"), "the failing test's output is shown\n\(shown.screen)")
            // The screen was cleared: run 1's header is gone.
            #expect(!shown.screen.contains("[watch] run 1:"), "\(shown.screen)")

            // Saved back: every result passes again, replayed from the cache.
            try fixture.write(addSource, original)
            shown = terminal!.wait { Self.finished($0, run: 3, "PASS") }
            #expect(shown.met, "\(shown.screen)")
            for target in ["AddTests", "MultiplyTests", "SlowTests"] {
                #expect(Self.line(shown.screen, target)?.hasSuffix("(cached)") == true, "\(target)\n\(shown.screen)")
            }

            // Build output and a file no key consulted: no run, even well past the debounce.
            try Data("x".utf8).write(to: URL(fileURLWithPath: fixture.root + "/.build/touched-by-the-test"))
            try fixture.write("Fixtures/notes.txt", "still not read by any test\n")
            Thread.sleep(forTimeInterval: 2)
            #expect(Self.runs(terminal!.screen) == 3, "\(terminal!.screen)")

            // Two files saved together: one run.
            try fixture.write(addSource, original + "// a comment\n")
            try fixture.write("Sources/Arithmetic/Multiply.swift",
                try String(contentsOfFile: fixture.root + "/Sources/Arithmetic/Multiply.swift", encoding: .utf8) + "// a comment\n")
            shown = terminal!.wait { Self.finished($0, run: 4, "PASS") }
            #expect(shown.met, "\(shown.screen)")
            #expect(shown.screen.contains("and 1 more changed"), "\(shown.screen)")
            Thread.sleep(forTimeInterval: 2)
            #expect(Self.runs(terminal!.screen) == 4, "\(terminal!.screen)")

            // f after a passing run runs nothing; a runs every target, replayed; q quits with 0.
            try terminal!.press("f")
            shown = terminal!.wait(for: .seconds(10)) { $0.contains("nothing to rerun") }
            #expect(shown.met && Self.runs(shown.screen) == 4, "\(shown.screen)")
            try terminal!.press("a")
            shown = terminal!.wait { Self.finished($0, run: 5, "PASS") }
            #expect(shown.met && shown.screen.contains("a: every test target"), "\(shown.screen)")
            try terminal!.press("q")
            shown = terminal!.wait(for: .seconds(30)) { $0.contains("EXIT=") }
            #expect(shown.screen.contains("EXIT=0"), "\(shown.screen)")
            terminal = nil

            // Keys off when standard input is not a terminal; Ctrl-C in a run stops its test process.
            terminal = try TmuxTerminal(tool + " watch --no-clear < /dev/null", in: fixture.root, environment: environment)
            shown = terminal!.wait { Self.finished($0, run: 1, "PASS") }
            #expect(shown.met && shown.screen.contains("keys are off"), "\(shown.screen)")
            try fixture.write("Fixtures/slow", "sleep\n")
            shown = terminal!.wait { $0.contains("[watch] run 2: Fixtures/slow changed") }
            #expect(shown.met, "\(shown.screen)")
            // The slow test waits on a child shell named after the marker: the test's process group holds both.
            let marker = fixture.root + "/Fixtures/slow"
            let sleeping = waitForProcess(containing: marker, timeout: .seconds(120))
            #expect(sleeping, "the slow test never started\n\(terminal!.screen)")
            try terminal!.press("C-c")
            shown = terminal!.wait(for: .seconds(30)) { $0.contains("EXIT=") }
            #expect(shown.screen.contains("EXIT=130"), "\(shown.screen)")
            // A signalled process may take a moment to go; one that was never signalled sleeps a minute.
            #expect(waitForNoProcess(containing: fixture.root + "/.build", timeout: .seconds(5)), "a test process outlived Ctrl-C")
            #expect(waitForNoProcess(containing: marker, timeout: .seconds(5)), "a test's child process outlived Ctrl-C")
            terminal = nil

            // The store is whole: `test` reads it, and replays what the interrupted run did not change.
            try FileManager.default.removeItem(atPath: fixture.root + "/Fixtures/slow")
            let after = try fixture.run()
            #expect(after.status == 0, after.transcript)
            #expect(after.summaries.count == 3 && after.summaries.allSatisfy { $0.hasSuffix("(cached)") }, after.transcript)
        }

        /// Bad input is a one-line error and exit status 2, before anything is watched.
        @Test func badInputIsAOneLineErrorAndStatus2() throws {
            let fixture = try Fixture("Watch")
            let unknown = try fixture.run("NoSuchTests", command: "watch")
            #expect(unknown.status == 2, unknown.transcript)
            #expect(unknown.stderr.split(separator: "\n").count == 1 && unknown.stderr.contains("NoSuchTests"), unknown.transcript)
            let empty = try TemporaryDirectory()
            let notAPackage = try runTool(["watch", "--package-path", empty.path], store: fixture.store)
            #expect(notAPackage.status == 2, notAPackage.transcript)
            #expect(notAPackage.stderr.split(separator: "\n").count == 1, notAPackage.transcript)
        }
    }
}

/// Whether some process's command line contains `text`, waiting up to `timeout` for one to appear.
private func waitForProcess(containing text: String, timeout: Duration) -> Bool {
    waitUntil(timeout) { processExists(containing: text) }
}

/// Whether no process's command line contains `text` within `timeout`.
private func waitForNoProcess(containing text: String, timeout: Duration) -> Bool {
    waitUntil(timeout) { !processExists(containing: text) }
}

private func waitUntil(_ timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    repeat {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.2)
    } while ContinuousClock.now < deadline
    return false
}

private func processExists(containing text: String) -> Bool {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.contains { entry in
        guard entry.allSatisfy(\.isNumber), let bytes = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
        return String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
    } ?? false
}
