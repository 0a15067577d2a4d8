import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// What the build reads beyond the targets' directories is an input (Fixtures/BuildInputs): a header at
    /// the package root reached through a header search path, a build tool plugin command's declared
    /// input, a variable the manifest turns into a compile-time define, and a prebuilt library an unsafe
    /// `-L` flag points the linker at, linked into an executable a test runs. Each change that breaks a
    /// test reruns it and reports FAIL, never a cached ok; putting it back replays the old result; explain
    /// names the change; an unrelated change keeps everything cached.
    @Suite struct BuildInputTests {
        static let names = ["HeaderTests", "PluginTests", "DefineTests", "LinkerTests", "UnrelatedTests"]
        let fixture: Fixture

        init() throws {
            try self.init(buildSystem: nil)
        }

        init(buildSystem: String?) throws {
            fixture = try Fixture("BuildInputs", buildSystem: buildSystem)
            try makeVendorLibrary(returning: 42)
        }

        /// Makes vendor/lib/libvendor.a from vendor/vendor.c with `vendor_value()` returning `value`, with
        /// the toolchain's clang and llvm-ar, as a vendor's own build would: the package only links it.
        func makeVendorLibrary(returning value: Int) throws {
            let source = fixture.root + "/vendor/vendor.c"
            let text = try String(contentsOfFile: source, encoding: .utf8)
            try fixture.write("vendor/vendor.c", text.replacing(try Regex("return [0-9]+;"), with: "return \(value);"))
            let library = fixture.root + "/vendor/lib"
            try FileManager.default.createDirectory(atPath: library, withIntermediateDirectories: true)
            let object = fixture.temporary.path + "/vendor.o"
            let compiled = try runProgram("/usr/bin/env", ["clang", "-c", "-fPIC", source, "-o", object])
            #expect(compiled.status == 0, "clang: \(compiled.stderr)")
            try? FileManager.default.removeItem(atPath: library + "/libvendor.a")
            let archived = try runProgram("/usr/bin/env", ["llvm-ar", "rcs", library + "/libvendor.a", object])
            #expect(archived.status == 0, "llvm-ar: \(archived.stderr)")
        }

        /// The lines of a run in which `failed` fail, `fresh` run and pass, and the rest are replayed.
        func expect(
            _ result: ProcessResult, failed: Set<String> = [], fresh: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(result.summaries.count == Self.names.count, result.transcript, sourceLocation: sourceLocation)
            for (line, name) in zip(result.summaries, Self.names) {
                if failed.contains(name) {
                    #expect(isFailure(line, name), result.transcript, sourceLocation: sourceLocation)
                } else if fresh.contains(name) {
                    #expect(isFreshPass(line, name), result.transcript, sourceLocation: sourceLocation)
                } else {
                    #expect(line == "ok  \t\(name)\t(cached)", result.transcript, sourceLocation: sourceLocation)
                }
            }
            #expect(result.status == (failed.isEmpty ? 0 : 1), result.transcript, sourceLocation: sourceLocation)
        }

        /// `explain TARGET`'s lines.
        func explain(_ target: String, environment: [String: String] = [:]) throws -> [String] {
            try fixture.run(target, command: "explain", environment: environment).lines
        }

        /// Under both build systems: Swift Build's `.d` files and link commands are elsewhere. The steps
        /// whose answer does not depend on where those are (a header put back or commented, the manifest's
        /// variable, which reruns every target, a new file in the linker's directory) run natively only,
        /// for CI's 15 minutes.
        @Test(arguments: ["native", "swiftbuild"])
        func aHeaderAPluginInputAndAManifestVariableAreInputs(buildSystem: String) throws {
            try BuildInputTests(buildSystem: buildSystem).scenario()
        }

        func scenario() throws {
            let everyStep = fixture.buildSystem != "swiftbuild"
            // INITIAL and REPEAT.
            expect(try fixture.run(), fresh: Set(Self.names))
            let repeated = try fixture.run("-x")
            expect(repeated)
            #expect(!repeated.ranBuild, repeated.transcript)

            // A header outside every target's directory, reached through a header search path, read by
            // HeaderTests' code and by VendorTool's, which LinkerTests runs.
            try fixture.write("include/shared.h", "#define SHARED_VALUE 43\n")
            #expect(try explain("HeaderTests").contains("    header include/shared.h changed"))
            #expect(try explain("LinkerTests").contains("    header include/shared.h changed"))
            expect(try fixture.run(), failed: ["HeaderTests", "LinkerTests"])
            try fixture.write("include/shared.h", "// Read by CValue through its header search path; outside every target's directory.\n#define SHARED_VALUE 42\n")
            if everyStep {
                let restored = try fixture.run("-x")
                expect(restored)
                #expect(!restored.ranBuild, "putting the header back replays the stored result without building: \(restored.transcript)")
                // A comment in the header changes what the build read, not what it made: built, not run.
                try fixture.write("include/shared.h", "// A comment.\n// Read by CValue through its header search path; outside every target's directory.\n#define SHARED_VALUE 42\n")
                let comment = try fixture.run("-x")
                expect(comment)
                #expect(comment.ranBuild && !comment.ranTests, comment.transcript)
            }

            // A build tool plugin command's declared input.
            try fixture.write("gen/value.txt", "8\n")
            #expect(try explain("PluginTests").contains("    plugin input gen/value.txt changed"))
            expect(try fixture.run(), failed: ["PluginTests"])
            try fixture.write("gen/value.txt", "7\n")
            // Put back, replayed (natively; under Swift Build the next step's run replays it beside the
            // linker's change, for CI's 15 minutes).
            if everyStep { expect(try fixture.run()) }

            if everyStep {
                // A variable the manifest reads by name and turns into a define. The manifest's variables are
                // part of every target's content ID too (one could change link flags, which no object shows),
                // so every target runs again, and the one whose test now fails reports it.
                let on = ["STC_FEATURE": "on"]
                #expect(try explain("DefineTests", environment: on).contains("    variable STC_FEATURE, which Package.swift reads, was set"))
                expect(try fixture.run(environment: on), failed: ["DefineTests"], fresh: ["HeaderTests", "PluginTests", "LinkerTests", "UnrelatedTests"])
                expect(try fixture.run())
                // Any other variable is no input of the build.
                let other = try fixture.run("-x", environment: ["STC_OTHER": "1"])
                expect(other)
                #expect(!other.ranBuild, other.transcript)
            }

            // A prebuilt library the linker finds through `-Lvendor/lib`: no dependency file names it and
            // SwiftPM does not relink for it, so VendorTool is linked again and LinkerTests reruns.
            try makeVendorLibrary(returning: 43)
            #expect(try explain("LinkerTests").contains("    linker input vendor/lib/libvendor.a changed"))
            expect(try fixture.run(), failed: ["LinkerTests"])
            try makeVendorLibrary(returning: 42)
            let relinked = try fixture.run("-x")
            expect(relinked)
            #expect(!relinked.ranBuild, "the old library back replays the stored result: \(relinked.transcript)")
            guard everyStep else { return }
            // A new library beside it could be the one the linker picks.
            try fixture.write("vendor/lib/README", "what is vendored here\n")
            #expect(try explain("LinkerTests").contains("    the entries of linker directory vendor/lib changed"))
            expect(try fixture.run(), fresh: ["LinkerTests"])
        }
    }
}
