import TestCacheStore

/// The package's own test entry point (`Tests/LinuxMain.swift`, `XCTMain.swift`), found where SwiftPM looks
/// for one: beside each test target's directory, then in each directory above it up to the package root.
///
/// When there is one, the native build system makes it the test binary's `main` instead of the discovered
/// test list, and the binary runs what its `XCTMain(…)` call lists, whatever it is asked: a test listed
/// there twice is listed and run twice, a target it leaves out has no tests, and
/// `--testing-library swift-testing` lists and runs its XCTest tests again. So `swift test` does not run
/// Swift Testing for such a package, and neither does the engine. The file decides which tests run, so
/// it is an input of every key of the package (``ActionKeys/packageInputs(descriptionKey:model:build:hasher:environment:)``).
enum TestEntryPoint {
    /// The names SwiftPM takes for a test entry point, in the order it prefers them.
    static let names = ["XCTMain.swift", "LinuxMain.swift"]

    /// The package-relative paths SwiftPM searches for an entry point, each once, nearest the test
    /// targets first: for each test target, its parent directory and every directory above it within the
    /// package (`Tests/XCTMain.swift`, `Tests/LinuxMain.swift`, `XCTMain.swift`, `LinuxMain.swift` for
    /// targets under `Tests/`).
    static func candidates(in model: PackageModel) -> [String] {
        var seen: Set<String> = []
        var paths: [String] = []
        for target in model.testTargets {
            var components = target.path.split(separator: "/").map(String.init).filter { $0 != "." }
            // A target at the root (`path: "."`) is searched from the root itself; a path that leaves the
            // package (`..`) is searched from nowhere above it.
            if components.contains("..") { continue }
            if !components.isEmpty { components.removeLast() }
            while true {
                let directory = components.joined(separator: "/")
                for name in names {
                    let path = directory.isEmpty ? name : directory + "/" + name
                    if seen.insert(path).inserted { paths.append(path) }
                }
                if components.isEmpty { break }
                components.removeLast()
            }
        }
        return paths
    }

    /// The entry points that exist under `root`, package-relative, in search order.
    static func find(in model: PackageModel, root: String) -> [String] {
        candidates(in: model).filter { FileSystem.status(following: root + "/" + $0)?.isRegular == true }
    }
}
