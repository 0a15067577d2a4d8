#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TestCacheStore

/// The Swift toolchain a run uses: where `swift` is, and what it says it is.
struct Toolchain: Sendable {
    /// The `swift` executable found on PATH, absolute.
    var swiftPath: String
    /// `swift --version` and the build IDs of the runtime's libraries (``ToolchainRuntime``): the
    /// toolchain's identity in every key.
    var identity: String
    /// The identity as key fields: `toolchain`, what `swift --version` says, and `toolchain runtime
    /// <library>`, each runtime library's build ID, so that `explain` names the library that changed.
    var identityFields: [(field: KeyField, value: String)] {
        let lines = identity.split(separator: "\n", omittingEmptySubsequences: false)
        var version: [Substring] = []
        var fields: [(field: KeyField, value: String)] = []
        for line in lines {
            let words = line.split(separator: " ", maxSplits: 2)
            if words.count == 3, words[0] == "runtime" {
                fields.append((KeyField(kind: .toolchainRuntime, subject: String(words[1])), String(words[2])))
            } else {
                version.append(line)
            }
        }
        return [(KeyField(kind: .toolchain), version.joined(separator: "\n"))] + fields
    }

    /// The build system SwiftPM uses when `--build-system` is not given, as `swift build --help` says.
    var defaultBuildSystem: BuildSystem = .native

    /// The `swift` of the toolchain at `root` (`--toolchain`): SwiftPM and the key then both use it, so
    /// that a toolchain replaced in place is a new key, as one on PATH is.
    static func swift(inToolchain root: String) throws(TestCacheError) -> String {
        for candidate in [root + "/usr/bin/swift", root + "/bin/swift"] where access(candidate, X_OK) == 0 {
            return candidate
        }
        throw TestCacheError(.toolchain, "--toolchain \(root) holds no usr/bin/swift")
    }

    /// Finds `swift` on the PATH of `environment`.
    static func locateSwift(environment: [String: String]) throws(TestCacheError) -> String {
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/swift"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw TestCacheError(.toolchain, "cannot find `swift` on PATH: install a Swift toolchain or add its bin directory to PATH")
    }

    /// The toolchain `swift` at `swiftPath` resolves to, when its identity is remembered (so that
    /// `swift --version` need not run); nil otherwise.
    static func remembered(swiftPath: String, memos: EngineMemos) -> Toolchain? {
        memos.toolchain(swiftPath: swiftPath).map {
            Toolchain(swiftPath: swiftPath, identity: $0.identity, defaultBuildSystem: $0.buildSystem)
        }
    }

    /// Runs `swift --version` and reads the runtime's build IDs for the toolchain's identity, and runs
    /// `swift build --help` for its default build system, both at once, and remembers them.
    static func identify(
        swiftPath: String, environment: [String: String], memos: EngineMemos, processes: any ProcessRunning
    ) async throws -> Toolchain {
        async let version = processes.capture(swiftPath, ["--version"], workingDirectory: nil, environment: environment)
        async let help = processes.capture(swiftPath, ["build", "--help"], workingDirectory: nil, environment: environment)
        let result = try await version
        guard result.termination == .exited(0) else {
            throw TestCacheError(.toolchain, "`\(swiftPath) --version` failed (\(result.termination))")
        }
        let resolved = URL(fileURLWithPath: swiftPath).resolvingSymlinksInPath().path
        let identity = result.stdout + Array(ToolchainRuntime.identity(swiftPath: resolved).utf8)
        // `swift build --help` failing leaves the default unknown: native is used for this run (and passed
        // to SwiftPM explicitly, so the key says what is built), and nothing is remembered, so that the
        // next run asks again. Why it failed changes nothing of that.
        guard let helped = try? await help, helped.termination == .exited(0) else {
            return Toolchain(swiftPath: swiftPath, identity: String(decoding: identity, as: UTF8.self), defaultBuildSystem: .native)
        }
        let system = defaultBuildSystem(inHelp: helped.stdout)
        memos.rememberToolchain(identity: identity, buildSystem: system, swiftPath: swiftPath)
        return Toolchain(swiftPath: swiftPath, identity: String(decoding: identity, as: UTF8.self), defaultBuildSystem: system)
    }

    /// The default `swift build --help` gives for `--build-system` (`(default: native)` in the text
    /// after the option's name); native when the help has no such option (SwiftPM before 6.1) or names
    /// a build system this tool does not know.
    static func defaultBuildSystem(inHelp help: [UInt8]) -> BuildSystem {
        let text = String(decoding: help, as: UTF8.self)
        guard let option = text.range(of: "--build-system"),
            let marker = text.range(of: "(default: ", range: option.upperBound..<text.endIndex),
            let close = text[marker.upperBound...].firstIndex(of: ")")
        else { return .native }
        return BuildSystem(rawValue: String(text[marker.upperBound..<close])) ?? .native
    }
}
