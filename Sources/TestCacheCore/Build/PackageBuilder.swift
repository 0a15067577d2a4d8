import Foundation
import TestCacheStore

/// What a successful build of the tests made, where the rest of the run finds it.
struct BuiltTests: Sendable {
    let layout: BuildLayout

    /// Where the products are: what stored results that name built files are relative to.
    var buildDirectory: String { layout.productsDirectory }

    /// The executable that runs a test target's tests.
    func binary(for target: PackageTarget) -> String { layout.testBinary(for: target) }
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
    /// Runs SwiftPM: a ``CrashRetryingRunner``, so that a crashed build is built again.
    let processes: any ProcessRunning
    /// The terminal's live status, shown SwiftPM's progress while building; nil off a terminal.
    let status: StatusLine?
    /// Where Swift Build's products directory is remembered.
    let memos: EngineMemos
    /// Wall-clock nanoseconds, and a wait of so many: see ``SourceSettling``.
    let clock: @Sendable () -> Int64
    let sleep: @Sendable (Int64) async -> Void
    /// Says, with `SWIFT_TESTCACHE_DEBUG=test`, why the build waited.
    let debug: @Sendable (String) -> Void

    /// Builds, first removing the linked products whose linker inputs changed since they were linked
    /// (SwiftPM would keep them). Throws when `swift build` cannot be started, and ``TestCacheError`` when
    /// SwiftPM refuses the options before building anything (an SDK or triple it does not have).
    func build(model: PackageModel, toolchain: Toolchain, system: BuildSystem) async throws -> BuildOutcome {
        let root = configuration.packagePath
        let scratch = configuration.build.scratchDirectory(root: root)
        let environment = SwiftPMInvocation.environment(configuration, swiftPath: toolchain.swiftPath)
        var options = configuration.build
        options.buildSystem = system
        let arguments = ["--package-path", root] + options.swiftBuildArguments
        var layout = BuildLayout.native(scratch: scratch, configuration: configuration.build.configuration, packageName: model.name)
        if system == .swiftbuild {
            let products = try await swiftBuildProducts(arguments: arguments, toolchain: toolchain, environment: environment, asking: false)
            layout = BuildLayout.swiftBuild(productsDirectory: products, packageName: model.name)
        }
        for output in BuildReadings.staleLinks(root: root, scratch: scratch, manifest: layout.manifest) {
            unlink(output)
        }
        var progress: (@Sendable ([UInt8]) -> Void)?
        if let status { progress = { bytes in status.buildOutput(bytes) } }
        func buildTests() async throws -> MergedRun {
            try await processes.runMerged(
                toolchain.swiftPath, ["build", "--build-tests"] + arguments,
                workingDirectory: root, environment: environment, timeout: SwiftPMInvocation.timeout, stream: progress)
        }
        await settleSources(model: model, root: root, scratch: scratch)
        let build = try await buildTests()
        status?.buildFinished()
        guard build.termination == .exited(0) else {
            if let refusal = Self.refusal(in: build.output) { throw TestCacheError(.usage, "swift build: " + refusal) }
            return .failed(output: build.output)
        }
        // What the build made: the module directories and the manifest are read again.
        switch system {
        case .native:
            layout = BuildLayout.native(scratch: scratch, configuration: configuration.build.configuration, packageName: model.name)
        case .swiftbuild:
            var products = layout.productsDirectory
            if FileSystem.status(following: products)?.isDirectory != true {
                // Remembered, but the build put its products elsewhere: ask again.
                products = try await swiftBuildProducts(arguments: arguments, toolchain: toolchain, environment: environment, asking: true)
            }
            layout = BuildLayout.swiftBuild(productsDirectory: products, packageName: model.name)
        }
        return .built(BuiltTests(layout: layout))
    }

    /// Waits, when a source was modified in the current second, for the next one (``SourceSettling``).
    private func settleSources(model: PackageModel, root: String, scratch: String) async {
        let newest = SourceSettling.newestModification(
            root: root, targetDirectories: model.targets.map(\.path),
            dependencies: ActionKeys.dependencyDirectories(model: model, root: root, scratch: scratch))
        guard let wait = SourceSettling.wait(newest: newest, now: clock()) else { return }
        debug("waiting \(wait / 1_000_000) ms to build: a source was saved in this second, and swift-driver compares times to the second")
        await sleep(wait)
    }

    /// Swift Build's products directory for these arguments: it depends on the configuration, the
    /// platform and the scratch path, so SwiftPM is asked (`--show-bin-path`, 0.45 s) and the answer
    /// remembered under the toolchain and the arguments; `asking` skips the memo.
    private func swiftBuildProducts(
        arguments: [String], toolchain: Toolchain, environment: [String: String], asking: Bool
    ) async throws -> String {
        if !asking, let remembered = memos.productsDirectory(arguments: arguments, toolchain: toolchain) { return remembered }
        let asked = try await processes.capture(
            toolchain.swiftPath, ["build", "--show-bin-path"] + arguments, workingDirectory: configuration.packagePath,
            environment: environment)
        let path = String(decoding: asked.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard asked.termination == .exited(0), path.hasPrefix("/") else {
            let said = String(decoding: asked.stderr, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("error: ") }
            throw TestCacheError(.toolchain, "swift build --show-bin-path: " + (said.map { String($0.dropFirst("error: ".count)) } ?? "said no path"))
        }
        memos.rememberProductsDirectory(path, arguments: arguments, toolchain: toolchain)
        return path
    }

    /// SwiftPM's complaint when it stopped before building anything: its first `error:` line, when the
    /// output shows no build step (`Building for…`, `[1/9] Compiling…`, a compiler's `file:line: error`).
    static func refusal(in output: [UInt8]) -> String? {
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        guard !lines.contains(where: { $0.hasPrefix("Building for") || $0.hasPrefix("[") }) else { return nil }
        return lines.first { $0.hasPrefix("error: ") }.map { String($0.dropFirst("error: ".count)) }
    }
}
