import Synchronization

/// The one-line live status shown on a terminal's stderr: SwiftPM's progress while building, then which
/// targets are running and for how long. It is erased before anything else is printed and when done.
final class StatusLine: Sendable {
    /// The widest status drawn: a status wider than the terminal would wrap and could not be erased.
    static let maxWidth = 79

    private struct State {
        var building: String?
        var running: [(name: String, start: ContinuousClock.Instant)] = []
        var shown = false
    }

    private let state = Mutex(State())
    private let write: @Sendable (String) -> Void
    /// Monotonic time, for how long each target has been running.
    private let now: @Sendable () -> ContinuousClock.Instant

    init(write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.write = write
        self.now = now
    }

    /// Takes the build's output as it comes and shows its latest progress line (`[12/40] Compiling …`).
    func buildOutput(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else { return }
        state.withLock { state in
            state.building = String(line)
            draw(&state)
        }
    }

    func buildFinished() {
        state.withLock { state in
            state.building = nil
            erase(&state)
        }
    }

    func started(_ name: String) {
        let start = now()
        state.withLock { $0.running.append((name, start)) }
    }

    func finished(_ name: String) {
        state.withLock { state in
            state.running.removeAll { $0.name == name }
            erase(&state)
        }
    }

    /// Redraws with the current times; called on a timer.
    func tick() {
        state.withLock { draw(&$0) }
    }

    /// Erases the status so that a line can be printed; the next tick draws it again.
    func clear() {
        state.withLock { erase(&$0) }
    }

    private func draw(_ state: inout State) {
        let text: String
        if let building = state.building {
            text = "building " + building
        } else if !state.running.isEmpty {
            let now = self.now()
            text = "running " + state.running.map { "\($0.name) \(Self.seconds(now - $0.start))" }.joined(separator: ", ")
        } else {
            return erase(&state)
        }
        let fitted = text.count > Self.maxWidth ? String(text.prefix(Self.maxWidth - 1)) + "…" : text
        write("\r\u{1B}[K" + fitted)
        state.shown = true
    }

    private func erase(_ state: inout State) {
        guard state.shown else { return }
        write("\r\u{1B}[K")
        state.shown = false
    }

    /// Whole seconds: the status moves once a second, not on every redraw.
    private static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds)s"
    }
}
