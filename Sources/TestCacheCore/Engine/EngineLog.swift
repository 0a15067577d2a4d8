import Foundation

/// What the `SWIFT_TESTCACHE_DEBUG` switch asked for, parsed once by the command layer and passed down.
public struct DebugOptions: Sendable, Hashable {
    /// `test`: say on stderr, per target, why it was or was not taken from the cache.
    public var test = false
    /// `hash`: trace every field hashed into a key.
    public var hash = false
    /// `remote`: say at the end what the remote cache did (hits, misses, uploads, bytes).
    public var remote = false

    public init() {}

    /// Parses a comma-separated list such as `test,hash`; unknown words are ignored.
    public init(parsing text: String?) {
        for word in (text ?? "").split(separator: ",") {
            switch word.trimmingCharacters(in: .whitespaces) {
            case "test": test = true
            case "hash": hash = true
            case "remote": remote = true
            default: break
            }
        }
    }
}

/// The engine's own lines on standard error, all with one prefix: notes, debug traces, hashed fields.
struct EngineLog: Sendable {
    /// Starts every line the tool writes about itself, so that it reads apart from SwiftPM's and the tests'.
    static let prefix = "swift-testcache: "

    let output: EngineOutput
    let debug: DebugOptions

    /// A line the user should see.
    func note(_ message: String) {
        output.standardError(Self.prefix + message + "\n")
    }

    /// With `SWIFT_TESTCACHE_DEBUG=test`: why a target was or was not taken from the cache.
    func target(_ name: String, _ message: @autoclosure () -> String) {
        if debug.test { note("\(name): \(message())") }
    }

    /// With `SWIFT_TESTCACHE_DEBUG=test`: a line about the whole run.
    func run(_ message: @autoclosure () -> String) {
        if debug.test { note(message()) }
    }

    /// With `SWIFT_TESTCACHE_DEBUG=hash`: receives every field hashed into a key; nil otherwise.
    var hashTrace: (@Sendable (String) -> Void)? {
        guard debug.hash else { return nil }
        return line
    }

    /// Writes a line to standard error as it is (`-x` commands).
    var line: @Sendable (String) -> Void {
        { [output] line in output.standardError(line + "\n") }
    }
}
