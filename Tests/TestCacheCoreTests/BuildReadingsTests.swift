import Foundation
import Testing
@testable import TestCacheCore
import _TestSupport

/// Reading what the build wrote: compilers' dependency files and SwiftPM's llbuild manifest.
@Suite struct BuildReadingsTests {
    @Test func dependencyFilesNamePrerequisitesWithEscapedSpacesAndContinuations() {
        let file = "dependencies: /p/Sources/C/c.c \\\n  /p/include/my\\ header.h /p/include/b.h\n/p/x.o : /p/y.h\n"
        #expect(BuildReadings.dependencies(inDependencyFile: Array(file.utf8)) == [
            "/p/Sources/C/c.c", "/p/include/my header.h", "/p/include/b.h", "/p/y.h",
        ])
    }

    @Test func theManifestsCommandsAndThePluginOutputsTarget() throws {
        let directory = try TemporaryDirectory()
        let manifest = """
            client:
              name: basic
            commands:
              "C.Lib.module":
                tool: shell
                inputs: ["/p/Sources/Lib/a.swift"]
                outputs: ["/p/.build/debug/Lib.build/a.swift.o"]
                description: "Compiling Swift Module 'Lib' (1 sources)"
                args: ["/usr/bin/swiftc","-module-name","Lib"]

              "Generating X.swift-1234":
                tool: shell
                inputs: ["/p/.build/debug/Tool-tool","/p/gen/value.txt"]
                outputs: ["/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift"]
                description: "Generating X.swift"

              "C.PPackageTests-debug.test":
                tool: shell
                inputs: ["/p/.build/debug/Lib.build/a.swift.o"]
                outputs: ["/p/.build/debug/PPackageTests.xctest"]
                description: "Linking ./.build/debug/PPackageTests.xctest"
                args: ["/usr/bin/swiftc","-o","/p/.build/debug/PPackageTests.xctest","-lvendor","-Lvendor/lib"]
            """
        let path = directory.path + "/debug.yaml"
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: path))
        let compile = ManifestCommand(inputs: ["/p/Sources/Lib/a.swift"], outputs: ["/p/.build/debug/Lib.build/a.swift.o"])
        let generate = ManifestCommand(
            inputs: ["/p/.build/debug/Tool-tool", "/p/gen/value.txt"], outputs: ["/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift"])
        let link = ManifestCommand(
            inputs: ["/p/.build/debug/Lib.build/a.swift.o"], outputs: ["/p/.build/debug/PPackageTests.xctest"],
            arguments: ["/usr/bin/swiftc", "-o", "/p/.build/debug/PPackageTests.xctest", "-lvendor", "-Lvendor/lib"])
        var link0 = link
        link0.arguments = []
        #expect(BuildManifest.commands(at: path, selecting: .outputsContaining("")) == [compile, generate, link0])
        #expect(BuildManifest.commands(at: path, selecting: .outputsContaining("/plugins/outputs/")) == [generate])
        #expect(BuildManifest.commands(at: path, selecting: .links) == [link])
        #expect(BuildReadings.pluginTarget(ofOutput: "/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift", under: "/p/.build/plugins/outputs/") == "Lib")
        // Missing, or a command whose list is torn: nothing, not an empty list taken for complete.
        #expect(BuildManifest.commands(at: directory.path + "/missing.yaml", selecting: .links) == nil)
        let torn = directory.path + "/torn.yaml"
        try Data(manifest.replacingOccurrences(of: #""-lvendor","-Lvendor/lib"]"#, with: #""-lvendor","#).utf8)
            .write(to: URL(fileURLWithPath: torn))
        #expect(BuildManifest.commands(at: torn, selecting: .links) == nil)
        #expect(BuildManifest.commands(at: torn, selecting: .outputsContaining("/plugins/outputs/")) == [generate])
        try Data("{\"commands\": 1}".utf8).write(to: URL(fileURLWithPath: directory.path + "/manifest.json"))
        #expect(BuildManifest.commands(at: directory.path + "/manifest.json", selecting: .links) == nil)
    }

    /// A package with a library directory, a linker script and a library by path, and its build directory.
    func linkedPackage() throws -> (directory: TemporaryDirectory, root: String, scratch: String) {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/p"
        for folder in ["vendor/lib", "scripts", ".build/debug"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["vendor/lib/libv.a", "scripts/exports.map", "scripts/layout.ld", "libdirect.a", ".build/debug/libbuilt.a"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        return (directory, root, root + "/.build")
    }

    @Test func aLinkCommandsArgumentsNameTheFilesAndDirectoriesItReadsInsideTheRoot() throws {
        let (directory, root, scratch) = try linkedPackage()
        _ = directory
        let arguments = [
            "/usr/bin/swiftc", "-L", scratch + "/debug", "-o", scratch + "/debug/P.xctest", "-module-name", "P",
            "@" + scratch + "/debug/P.product/Objects.LinkFileList", "-lv", "-Lvendor/lib", "-L/usr/lib",
            "-Xlinker", "--version-script=scripts/exports.map", "-Xlinker", "-T", "-Xlinker", root + "/scripts/layout.ld",
            "libdirect.a", "-Wl,-L,.", scratch + "/debug/libbuilt.a", "missing/lib",
        ]
        #expect(BuildReadings.linkerInputs(arguments: arguments, root: root, scratch: scratch)
            == ["vendor/lib", "scripts/exports.map", "scripts/layout.ld", "libdirect.a", "."])
        // The driver's own path, the output and what lies outside the root are no inputs.
        #expect(BuildReadings.linkerInputs(arguments: [root + "/libdirect.a", "-L/usr/lib", "-o", scratch + "/x"], root: root, scratch: scratch).isEmpty)
    }

    @Test func aLinkedProductOlderThanWhatItsLinkCommandNamesIsStale() throws {
        let (directory, root, scratch) = try linkedPackage()
        _ = directory
        let output = scratch + "/debug/P.xctest"
        let manifest = """
            commands:
              "C.P-debug.test":
                tool: shell
                inputs: []
                outputs: ["\(output)"]
                description: "Linking ./.build/debug/P.xctest"
                args: ["/usr/bin/swiftc","-o","\(output)","-lv","-Lvendor/lib"]
            """
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: scratch + "/debug.yaml"))
        #expect(BuildReadings.staleLinks(root: root, scratch: scratch, manifest: scratch + "/debug.yaml").isEmpty, "nothing linked yet")
        Thread.sleep(forTimeInterval: 0.01)
        try Data("linked".utf8).write(to: URL(fileURLWithPath: output))
        #expect(BuildReadings.staleLinks(root: root, scratch: scratch, manifest: scratch + "/debug.yaml").isEmpty, "linked after its inputs")
        Thread.sleep(forTimeInterval: 0.01)
        try Data("y".utf8).write(to: URL(fileURLWithPath: root + "/vendor/lib/libv.a"))
        #expect(BuildReadings.staleLinks(root: root, scratch: scratch, manifest: scratch + "/debug.yaml") == [output], "a library changed")
        Thread.sleep(forTimeInterval: 0.01)
        try Data("linked".utf8).write(to: URL(fileURLWithPath: output))
        Thread.sleep(forTimeInterval: 0.01)
        try Data("new".utf8).write(to: URL(fileURLWithPath: root + "/vendor/lib/libv.so"))
        #expect(BuildReadings.staleLinks(root: root, scratch: scratch, manifest: scratch + "/debug.yaml") == [output], "a library was added")
    }

    @Test func onlyFilesInsideTheRootAndOutsideTheBuildCount() {
        #expect(BuildReadings.relative("/p/include/../include/a.h", root: "/p", scratch: "/p/.build") == "include/a.h")
        #expect(BuildReadings.relative("/usr/include/stdio.h", root: "/p", scratch: "/p/.build") == nil)
        #expect(BuildReadings.relative("/p/.build/debug/x.h", root: "/p", scratch: "/p/.build") == nil)
        #expect(BuildReadings.relative("/p/build-other/x.h", root: "/p", scratch: "/p/build-other") == nil)
        #expect(BuildReadings.relative("/p/.git/HEAD", root: "/p", scratch: nil) == nil)
    }
}
