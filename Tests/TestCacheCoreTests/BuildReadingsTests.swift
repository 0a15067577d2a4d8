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

              "Generating X.swift-1234":
                tool: shell
                inputs: ["/p/.build/debug/Tool-tool","/p/gen/value.txt"]
                outputs: ["/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift"]
                description: "Generating X.swift"

            """
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: directory.path + "/debug.yaml"))
        #expect(BuildReadings.commands(inManifest: directory.path + "/debug.yaml") == [
            .init(inputs: ["/p/Sources/Lib/a.swift"], outputs: ["/p/.build/debug/Lib.build/a.swift.o"]),
            .init(inputs: ["/p/.build/debug/Tool-tool", "/p/gen/value.txt"], outputs: ["/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift"]),
        ])
        #expect(BuildReadings.pluginTarget(ofOutput: "/p/.build/plugins/outputs/p/Lib/destination/Gen/X.swift", under: "/p/.build/plugins/outputs/") == "Lib")
        #expect(BuildReadings.commands(inManifest: directory.path + "/missing.yaml").isEmpty)
    }

    @Test func onlyFilesInsideTheRootAndOutsideTheBuildCount() {
        #expect(BuildReadings.relative("/p/include/../include/a.h", root: "/p", scratch: "/p/.build") == "include/a.h")
        #expect(BuildReadings.relative("/usr/include/stdio.h", root: "/p", scratch: "/p/.build") == nil)
        #expect(BuildReadings.relative("/p/.build/debug/x.h", root: "/p", scratch: "/p/.build") == nil)
        #expect(BuildReadings.relative("/p/build-other/x.h", root: "/p", scratch: "/p/build-other") == nil)
        #expect(BuildReadings.relative("/p/.git/HEAD", root: "/p", scratch: nil) == nil)
    }
}
