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

    /// Finds the toolchain and its identity; `swift --version` is run only when the binary it resolves
    /// to changed since the identity was last remembered in `store`.
    static func current(
        environment: [String: String], store: ResultStore?, salt: KeySalt, runner: CommandRunner
    ) async throws -> Toolchain {
        let swiftPath = try locateSwift(environment: environment)
        let resolved = URL(fileURLWithPath: swiftPath).resolvingSymlinksInPath().path
        let status = FileSystem.status(following: resolved)
        var hasher = KeyHasher(name: "toolchain-identity", salt: salt)
        hasher.update(field: "binary", resolved)
        hasher.update(field: "status", status.map { "\($0.size) \($0.modified) \($0.changed) \($0.inode)" } ?? "missing")
        let memoKey = hasher.finalize()
        if let remembered = store?.output(for: memoKey).value {
            return Toolchain(swiftPath: swiftPath, identity: String(decoding: remembered.bytes, as: UTF8.self))
        }
        let result = try await runner.capture(swiftPath, ["--version"], workingDirectory: nil, environment: environment)
        guard result.termination == .exited(0) else {
            throw EngineError("`\(swiftPath) --version` failed (\(result.termination))")
        }
        store?.put(memoKey, result.stdout)
        return Toolchain(swiftPath: swiftPath, identity: String(decoding: result.stdout, as: UTF8.self))
    }
}
