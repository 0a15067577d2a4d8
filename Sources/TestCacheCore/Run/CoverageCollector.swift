import Foundation
import TestCacheReports
import TestCacheStore

/// Measures a target's line coverage (`--enable-code-coverage`) from the raw profiles its processes
/// wrote, with the toolchain's `llvm-profdata` and `llvm-cov`, as `swift test --enable-code-coverage` does.
///
/// What is counted: the lines of the package's own non-test targets in the test target's dependency
/// closure (llvm-cov's instrumented lines of the files under their directories), run by this target's
/// tests only. Paths in the lcov records are relative to the package root, so that a result shared with
/// another checkout reads the same.
struct CoverageCollector: Sendable {
    /// Where the raw profiles go, a directory per target.
    let directory: String
    let llvmProfdata: String
    let llvmCov: String
    /// Where the binaries the profiles are of are.
    let layout: BuildLayout
    let root: String
    let model: PackageModel
    let processes: any ProcessRunning

    /// The collector for a run with the toolchain whose `swift` is at `swiftPath`: its LLVM tools sit
    /// beside it.
    init(directory: String, swiftPath: String, layout: BuildLayout, root: String, model: PackageModel, processes: any ProcessRunning) {
        let bin = URL(fileURLWithPath: swiftPath).resolvingSymlinksInPath().deletingLastPathComponent().path
        self.directory = directory
        self.llvmProfdata = bin + "/llvm-profdata"
        self.llvmCov = bin + "/llvm-cov"
        self.layout = layout
        self.root = root
        self.model = model
        self.processes = processes
    }

    /// The variable the profile runtime reads for where to write. swift-testcache sets it, to a new
    /// directory each run, so it is never an input.
    static let profileVariable = "LLVM_PROFILE_FILE"

    /// `LLVM_PROFILE_FILE` for `target`'s processes: one raw profile per process (`%p`).
    func profileFile(for target: PackageTarget) -> String {
        let folder = "\(directory)/\(target.name)"
        // A folder that cannot be made loses the profiles, which ``measure(_:note:)`` then reports.
        _ = FileSystem.makeDirectories(folder)
        return folder + "/%p.profraw"
    }

    /// The coverage of `target`'s run, from the profiles it wrote, which are removed; nil when there are
    /// none or the tools fail (said on `note`).
    func measure(_ target: PackageTarget, note: (String) -> Void) async -> TargetCoverage? {
        let folder = "\(directory)/\(target.name)"
        defer { FileSystem.removeTree(folder) }
        var raws: [String] = []
        FileSystem.forEachFile(inDirectory: folder) { name, _ in
            if name.hasSuffix(".profraw") { raws.append(folder + "/" + name) }
            return false
        }
        raws.sort()
        guard !raws.isEmpty else { return nil }
        let merged = folder + "/merged.profdata"
        let sources = model.closure(of: target).filter { !$0.isTest }.map { root + "/" + $0.path }
        do {
            let merge = try await processes.capture(
                llvmProfdata, ["merge", "-sparse"] + raws + ["-o", merged], workingDirectory: root, environment: [:])
            guard merge.termination == .exited(0) else {
                note("llvm-profdata merge failed: \(String(decoding: merge.stderr, as: UTF8.self))")
                return nil
            }
            // No sources in the closure: nothing of the package's own is counted.
            guard !sources.isEmpty else { return TargetCoverage(lcov: "") }
            // The code a target runs is in each file it links (Swift Build's runner and the target's `.so`).
            let objects = layout.linkedFiles(for: target).map { layout.productsDirectory + "/" + $0 }
            let objectArguments = [objects[0]] + objects.dropFirst().flatMap { ["-object", $0] }
            let export = try await processes.capture(
                llvmCov, ["export", "-format=lcov", "-instr-profile", merged] + objectArguments + sources,
                workingDirectory: root, environment: [:])
            guard export.termination == .exited(0) else {
                note("llvm-cov export failed: \(String(decoding: export.stderr, as: UTF8.self))")
                return nil
            }
            return TargetCoverage(lcov: relativeSourceFiles(String(decoding: export.stdout, as: UTF8.self)))
        } catch {
            note("cannot measure coverage: \(error)")
            return nil
        }
    }

    /// The lcov text with each `SF:` path inside the root made relative to it.
    private func relativeSourceFiles(_ lcov: String) -> String {
        lcov.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("SF:" + root + "/") ? "SF:" + line.dropFirst(3 + root.count + 1) : line
        }.joined(separator: "\n")
    }
}
