#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Swift toolchain a run uses: where `swift` is, and what it says it is.
struct Toolchain: Sendable {
    /// The `swift` executable found on PATH, absolute.
    var swiftPath: String
    /// `swift --version`, the toolchain's identity in every key.
    var identity: String

    /// The `swift` of the toolchain at `root` (`--toolchain`): SwiftPM and the key then both use it, so
    /// that a toolchain replaced in place is a new key, as one on PATH is.
    static func swift(inToolchain root: String) throws(EngineError) -> String {
        for candidate in [root + "/usr/bin/swift", root + "/bin/swift"] where access(candidate, X_OK) == 0 {
            return candidate
        }
        throw EngineError("--toolchain \(root) holds no usr/bin/swift")
    }

    /// Finds `swift` on the PATH of `environment`.
    static func locateSwift(environment: [String: String]) throws(EngineError) -> String {
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/swift"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw EngineError("cannot find `swift` on PATH: install a Swift toolchain or add its bin directory to PATH")
    }

    /// The toolchain `swift` at `swiftPath` resolves to, when its identity is remembered (so that
    /// `swift --version` need not run); nil otherwise.
    static func remembered(swiftPath: String, memos: EngineMemos) -> Toolchain? {
        memos.toolchainIdentity(swiftPath: swiftPath).map { Toolchain(swiftPath: swiftPath, identity: $0) }
    }

    /// Runs `swift --version` for the toolchain's identity and remembers it.
    static func identify(
        swiftPath: String, environment: [String: String], memos: EngineMemos, processes: any ProcessRunning
    ) async throws -> Toolchain {
        let result = try await processes.capture(swiftPath, ["--version"], workingDirectory: nil, environment: environment)
        guard result.termination == .exited(0) else {
            throw EngineError("`\(swiftPath) --version` failed (\(result.termination))")
        }
        memos.rememberToolchainIdentity(result.stdout, swiftPath: swiftPath)
        return Toolchain(swiftPath: swiftPath, identity: String(decoding: result.stdout, as: UTF8.self))
    }
}
