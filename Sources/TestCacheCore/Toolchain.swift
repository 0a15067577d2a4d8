import Foundation
import TestCacheStore

/// The Swift toolchain a run uses: where `swift` is, and what it says it is.
struct Toolchain: Sendable {
    /// The `swift` executable found on PATH, absolute.
    var swiftPath: String
    /// `swift --version`, the toolchain's identity in every key.
    var identity: String

    /// Finds `swift` on the PATH of `environment`.
    static func locateSwift(environment: [String: String]) throws(EngineError) -> String {
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/swift"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw EngineError("cannot find `swift` on PATH: install a Swift toolchain or add its bin directory to PATH")
    }

    /// The toolchain `swift` at `swiftPath` resolves to, when its identity is remembered in `store`
    /// under the binary's path and status (so `swift --version` need not run); nil otherwise.
    static func remembered(swiftPath: String, store: ResultStore?, salt: KeySalt) -> Toolchain? {
        guard let remembered = store?.output(for: memoKey(swiftPath: swiftPath, salt: salt)).value else { return nil }
        return Toolchain(swiftPath: swiftPath, identity: String(decoding: remembered.bytes, as: UTF8.self))
    }

    /// Runs `swift --version` for the toolchain's identity and remembers it in `store`.
    static func identify(
        swiftPath: String, environment: [String: String], store: ResultStore?, salt: KeySalt, runner: CommandRunner
    ) async throws -> Toolchain {
        let result = try await runner.capture(swiftPath, ["--version"], workingDirectory: nil, environment: environment)
        guard result.termination == .exited(0) else {
            throw EngineError("`\(swiftPath) --version` failed (\(result.termination))")
        }
        store?.put(memoKey(swiftPath: swiftPath, salt: salt), result.stdout)
        return Toolchain(swiftPath: swiftPath, identity: String(decoding: result.stdout, as: UTF8.self))
    }

    /// The key the identity is remembered under: the binary `swift` resolves to, and its status.
    private static func memoKey(swiftPath: String, salt: KeySalt) -> ActionID {
        let resolved = URL(fileURLWithPath: swiftPath).resolvingSymlinksInPath().path
        let status = FileSystem.status(following: resolved)
        var hasher = KeyHasher(name: "toolchain-identity", salt: salt)
        hasher.update(field: "binary", resolved)
        hasher.update(field: "status", status.map { "\($0.size) \($0.modified) \($0.changed) \($0.inode)" } ?? "missing")
        return hasher.finalize()
    }
}
