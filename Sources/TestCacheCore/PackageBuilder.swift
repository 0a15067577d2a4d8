import Foundation
import TestCacheStore

/// What a successful build of the tests made, where the rest of the run finds it.
struct BuiltTests: Sendable {
    /// `<scratch>/<configuration>`: the products, and a `<Module>.build` directory per target.
    let buildDirectory: String
    /// SwiftPM's single test binary, every test target linked in.
    let binary: String
}

/// How building the tests came out.
enum BuildOutcome: Sendable {
    case built(BuiltTests)
    /// The build failed; its output, stdout and stderr merged, says why.
    case failed(output: [UInt8])
}

/// Builds a package's tests with `swift build --build-tests` and the run's build options.
struct PackageBuilder: Sendable {
    let configuration: EngineConfiguration
    let processes: any ProcessRunning
    /// The terminal's live status, shown SwiftPM's progress while building; nil off a terminal.
    let status: StatusLine?

    /// Builds, first removing the linked products whose linker inputs changed since they were linked
    /// (SwiftPM would keep them). Throws when `swift build` cannot be started, and ``EngineError`` when
    /// SwiftPM refuses the options before building anything (an SDK or triple it does not have).
    func build(model: PackageModel, toolchain: Toolchain) async throws -> BuildOutcome {
        let root = configuration.packagePath
        let scratch = configuration.build.scratchPath ?? root + "/.build"
        for output in BuildReadings.staleLinks(root: root, scratch: scratch, configuration: configuration.build.configuration) {
            unlink(output)
        }
        var progress: (@Sendable ([UInt8]) -> Void)?
        if let status { progress = { bytes in status.buildOutput(bytes) } }
        let build = try await processes.runMerged(
            toolchain.swiftPath, ["build", "--build-tests", "--package-path", root] + configuration.build.swiftBuildArguments,
            workingDirectory: root, environment: SwiftPMInvocation.environment(configuration, swiftPath: toolchain.swiftPath),
            timeout: SwiftPMInvocation.timeout, stream: progress)
        status?.buildFinished()
        guard build.termination == .exited(0) else {
            if let refusal = Self.refusal(in: build.output) { throw EngineError("swift build: " + refusal) }
            return .failed(output: build.output)
        }
        let buildDirectory = "\(scratch)/\(configuration.build.configuration)"
        return .built(BuiltTests(buildDirectory: buildDirectory, binary: "\(buildDirectory)/\(model.name)PackageTests.xctest"))
    }

    /// SwiftPM's complaint when it stopped before building anything: its first `error:` line, when the
    /// output shows no build step (`Building for…`, `[1/9] Compiling…`, a compiler's `file:line: error`).
    static func refusal(in output: [UInt8]) -> String? {
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        guard !lines.contains(where: { $0.hasPrefix("Building for") || $0.hasPrefix("[") }) else { return nil }
        return lines.first { $0.hasPrefix("error: ") }.map { String($0.dropFirst("error: ".count)) }
    }
}
