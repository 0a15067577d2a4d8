import Foundation
import TestCacheStore
import _TestSupport
import Testing
@testable import TestCacheCore

/// A minimal 64-bit little-endian ELF object: the named sections, then a section-name table.
func makeELF(_ sections: [(name: String, bytes: [UInt8])]) -> [UInt8] {
    var names: [UInt8] = [0]
    var nameOffsets: [Int] = []
    for section in sections + [(name: ".shstrtab", bytes: [])] {
        nameOffsets.append(names.count)
        names += Array(section.name.utf8) + [0]
    }
    var body: [UInt8] = []
    var offsets: [Int] = []
    for section in sections {
        offsets.append(64 + body.count)
        body += section.bytes
    }
    offsets.append(64 + body.count)
    body += names
    let tableOffset = 64 + body.count
    func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + Array(repeating: 0, count: 9)
    header += little(UInt16(1)) + little(UInt16(62)) + little(UInt32(1)) + little(UInt64(0)) + little(UInt64(0))
    header += little(UInt64(tableOffset)) + little(UInt32(0)) + little(UInt16(64)) + little(UInt16(0)) + little(UInt16(0))
    header += little(UInt16(64)) + little(UInt16(sections.count + 2)) + little(UInt16(sections.count + 1))
    var table = [UInt8](repeating: 0, count: 64)  // the null section
    for (index, section) in (sections + [(name: ".shstrtab", bytes: names)]).enumerated() {
        var entry = little(UInt32(nameOffsets[index])) + little(UInt32(section.name == ".shstrtab" ? 3 : 1))
        entry += little(UInt64(0)) + little(UInt64(0)) + little(UInt64(offsets[index])) + little(UInt64(section.bytes.count))
        entry += [UInt8](repeating: 0, count: 24)
        table += entry
    }
    return header + body + table
}

@Suite struct ObjectHasherTests {
    let code: [UInt8] = [0x55, 0x48, 0x89, 0xE5, 0xC3]

    @Test func sectionsAreFoundByName() throws {
        let object = makeELF([(".text", code), (".debug_info", [1, 2, 3])])
        let sections = try #require(ObjectHasher.elfSections(object))
        #expect(sections.map(\.name) == ["", ".text", ".debug_info", ".shstrtab"])
        #expect(Array(object[sections[1].range]) == code)
    }

    @Test func debugInfoAndTheModuleHashDoNotCount() {
        let base = ObjectHasher.hash(makeELF([(".text", code), (".debug_info", [1, 2, 3]), (".swift_modhash", [9, 9])]))
        #expect(base.hasPrefix("sections "))
        #expect(ObjectHasher.hash(makeELF([(".text", code), (".debug_info", [7, 7, 7, 7]), (".swift_modhash", [1, 2])])) == base)
    }

    @Test func whatRunsCounts() {
        let base = ObjectHasher.hash(makeELF([(".text", code), (".rodata", Array("file.swift:12".utf8))]))
        var changed = code
        changed[1] = 0x90
        #expect(ObjectHasher.hash(makeELF([(".text", changed), (".rodata", Array("file.swift:12".utf8))])) != base)
        #expect(ObjectHasher.hash(makeELF([(".text", code), (".rodata", Array("file.swift:13".utf8))])) != base)
        #expect(ObjectHasher.hash(makeELF([(".text.other", code), (".rodata", Array("file.swift:12".utf8))])) != base)
    }

    @Test func sectionHeaderFieldsCount() {
        var object = makeELF([(".text", code), (".rela.text", [1, 2, 3])])
        let base = ObjectHasher.hash(object)
        // sh_info of the relocation section (which section it applies to) is at byte 44 of its entry.
        let tableOffset = Int(object[0x28]) | Int(object[0x29]) << 8
        object[tableOffset + 2 * 64 + 44] = 7
        #expect(ObjectHasher.hash(object) != base)
    }

    @Test func anythingElseIsHashedWhole() {
        #expect(ObjectHasher.hash(Array("not an object".utf8)).hasPrefix("whole "))
        let truncated = Array(makeELF([(".text", code)]).dropLast(10))
        #expect(ObjectHasher.elfSections(truncated) == nil)
        #expect(ObjectHasher.hash(truncated).hasPrefix("whole "))
        #expect(ObjectHasher.hash(truncated) != ObjectHasher.hash(Array(truncated.dropLast())))
    }
}

/// The content ID leaves out the generated test-list modules, whose order SwiftPM randomises.
@Suite struct ContentKeyTests {
    @Test(arguments: [("console-kit", "console_kit"), ("swift-argument-parser", "swift_argument_parser"), ("Plain", "Plain"),
        ("3d.kit", "_3d_kit")])
    func modulesAreNamedAsSwiftPMNamesThem(_ package: String, _ module: String) {
        #expect(c99Name(package) == module)
    }

    @Test func theGeneratedTestListOfAPackageWithAHyphenIsNotHashed() throws {
        let directory = try TemporaryDirectory()
        let build = directory.path + "/debug"
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: build + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let target = PackageTarget(name: "KitTests", moduleName: "KitTests", kind: "test", path: "Tests/KitTests", dependencies: [])
        let model = PackageModel(name: "console-kit", targets: [target], localDependencyPaths: [], hasRemoteDependencies: true)
        func contentID() -> ActionID? {
            ContentKeys(
                salt: KeySalt(toolVersion: "test"), trace: nil,
                layout: .native(scratch: directory.path, configuration: "debug", packageName: model.name), model: model)
                .contentID(for: target, inputs: PackageInputs(buildKey: key("package")), test: TestOptions(), declared: nil, untracedReads: nil)
        }
        try write("KitTests.build/KitTests.swift.o", "tests")
        try write("console_kitPackageDiscoveredTests.build/all-discovered-tests.swift.o", "A, B")
        try write("NIOCore.build/NIO.swift.o", "nio")
        let before = try #require(contentID())
        try write("console_kitPackageDiscoveredTests.build/all-discovered-tests.swift.o", "B, A")
        #expect(contentID() == before, "the test list's order is not what runs")
        try write("NIOCore.build/NIO.swift.o", "nio changed")
        #expect(contentID() != before, "a dependency package's object is")
    }
}

/// What a dependency's object contributes to a target's content ID, on objects clang compiles here with
/// a section per function and per global, as swiftc makes them.
@Suite struct ObjectGraphTests {
    /// The digest of `source` compiled as a dependency no entry reaches.
    func dependencyDigest(_ source: String, flags: [String] = []) throws -> String {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/dependency.c"
        try Data(source.utf8).write(to: URL(fileURLWithPath: file))
        let object = directory.path + "/dependency.o"
        let compiled = try runProgram(
            "/usr/bin/env", ["clang", "-c", "-O0", "-ffunction-sections", "-fdata-sections"] + flags + [file, "-o", object])
        #expect(compiled.status == 0, "clang: \(compiled.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: object).map(Array.init))
        let graph = try #require(ObjectGraph(bytes), "clang's object reads as a graph")
        let member = ObjectGraph.Member(label: "dependency.o", graph: graph, wholeDigest: "", isEntry: false)
        return ObjectGraph.reachableDigests([member])[0].digest
    }

    @Test func aFunctionFoundByItsCNameCountsAndAStaticNothingReachesDoesNot() throws {
        let base = try dependencyDigest("__attribute__((used)) static int unused(void) { return 1; }\nint api(void) { return 2; }\n")
        // `api` can be looked up by name (dlsym, a runtime's hook): its body counts though nothing points at it.
        #expect(try dependencyDigest("__attribute__((used)) static int unused(void) { return 1; }\nint api(void) { return 3; }\n") != base)
        // A static function nothing calls cannot run (kept in the object by `used`, so that it is there to change).
        #expect(try dependencyDigest("__attribute__((used)) static int unused(void) { return 7; }\nint api(void) { return 2; }\n") == base)
    }

    /// `source` compiled by swiftc, optimized, as module `Commands`, read as a graph.
    func swiftGraph(_ source: String) throws -> ObjectGraph {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/Commands.swift"
        try Data(source.utf8).write(to: URL(fileURLWithPath: file))
        let object = directory.path + "/Commands.o"
        let compiled = try runProgram(
            "/usr/bin/env", ["swiftc", "-parse-as-library", "-module-name", "Commands", "-O", "-c", file, "-o", object])
        #expect(compiled.status == 0, "swiftc: \(compiled.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: object).map(Array.init))
        return try #require(ObjectGraph(bytes), "swiftc's object reads as a graph")
    }

    /// The labels and symbols of the sections of `graph` reached from the one that defines `symbol`,
    /// through its own sections.
    func reached(from symbol: String, in graph: ObjectGraph) throws -> (labels: [String], symbols: [String]) {
        let start = try #require(graph.sections.first { $0.value.symbols.contains(symbol) }?.key, "\(symbol) is defined")
        var seen: Set<Int> = [start]
        var work = [start]
        while let index = work.popLast() {
            for case .section(let next) in graph.sections[index]?.targets ?? [] where graph.sections[next] != nil && seen.insert(next).inserted {
                work.append(next)
            }
        }
        return (seen.map { graph.sections[$0]!.label }, seen.flatMap { graph.sections[$0]!.symbols })
    }

    /// A module's descriptor shares a plain `.rodata` with its name and the jump tables of its functions'
    /// switches: reaching it reaches its name, but no function through a table.
    @Test func aModulesDescriptorReachesItsNameButNotTheFunctionsThatJumpThroughTablesBesideIt() throws {
        let graph = try swiftGraph("""
            public enum CommandError: Error, Equatable {
                case a(String), b(Int), c, d(Double), e, f
                public static func == (l: CommandError, r: CommandError) -> Bool {
                    switch (l, r) {
                    case (.a(let x), .a(let y)): return x == y
                    case (.b(let x), .b(let y)): return x == y
                    case (.c, .c), (.e, .e), (.f, .f): return true
                    case (.d(let x), .d(let y)): return x == y
                    default: return false
                    }
                }
            }
            """)
        let equal = try #require(graph.sections.values.flatMap(\.symbols).first { $0.contains("CommandErrorO2eeoiySbAC_ACtFZ") })
        let function = try reached(from: equal, in: graph)
        #expect(function.labels.contains { $0.contains("@table after ") }, "== jumps through a table: \(function.labels)")
        let descriptor = try reached(from: "$s8CommandsMXM", in: graph)
        #expect(!descriptor.symbols.contains { $0.contains("2eeoiySb") }, "\(descriptor.symbols)")
        // Its name, which it points at without a relocation (its bytes before it, where no symbol is).
        #expect(descriptor.labels.contains { $0.hasPrefix(".rodata") && $0.hasSuffix("@after start") }, "\(descriptor.labels)")
    }

    /// Private types' descriptors and conformances share one plain `.rodata`, so a conformance points at
    /// its type with no relocation: the type it conforms is read from its bytes, and it is each
    /// conformance's own type, not a neighbour's.
    @Test func aPrivateTypesConformanceNamesItsTypeThoughNoRelocationDoes() throws {
        let graph = try swiftGraph("""
            public protocol Shape { func area() -> Double }
            public protocol Named { func name() -> String }
            private struct Square: Shape { var side = 2.0; func area() -> Double { side * side } }
            public func makeShape() -> any Shape { Square() }
            private class Worker: Named { func name() -> String { "w" } }
            private struct Circle: Named { func name() -> String { "c" } }
            public func makeNamed(_ flag: Bool) -> any Named { flag ? Worker() : Circle() }
            """)
        for type in ["6Square", "6Worker", "6Circle"] {
            let conformance = try #require(graph.sections.values.first { $0.symbols.contains { $0.contains(type) && $0.hasSuffix("Mc") } })
            let named = conformance.conformingType.compactMap { target -> [String]? in
                guard case .section(let index) = target else { return nil }
                return graph.sections[index]?.symbols
            }.flatMap { $0 }
            #expect(named.contains { $0.contains(type) && $0.hasSuffix("Mn") }, "\(type)'s conformance points at \(named)")
            #expect(!named.contains { !$0.contains(type) && $0.hasSuffix("Mn") }, "\(type)'s conformance points at \(named)")
            #expect(!conformance.conformedProtocol.isEmpty, "\(type)'s conformance names its protocol")
        }
    }

    @Test func aCommonSymbolCountsThoughItHasNoSection() throws {
        let base = try dependencyDigest("int counter;\n", flags: ["-fcommon"])
        #expect(try dependencyDigest("long counter;\n", flags: ["-fcommon"]) != base)
    }
}

@Suite struct BuildLayoutTests {
    /// Writes empty files at the given paths under `root`.
    func touch(_ paths: [String], under root: String) throws {
        for path in paths {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
    }

    @Test func aModulesObjectsAreFoundUnderItsDirectoryButTheDebuggersWrapper() throws {
        let directory = try TemporaryDirectory()
        // Natively: a C file in a subdirectory of its target is compiled beside that subdirectory's name.
        try touch(["debug/CFoo.build/foo.c.o", "debug/CFoo.build/src/x.c.o", "debug/CFoo.build/src/x.d",
                   "debug/Lib.build/Lib.swift.o", "debug/Lib.build/Lib.swiftmodule.o"], under: directory.path)
        let native = BuildLayout.native(scratch: directory.path, configuration: "debug", packageName: "P")
        #expect(native.objectNames(ofModule: "CFoo") == ["foo.c.o", "src/x.c.o"])
        #expect(native.objectNames(ofModule: "Lib") == ["Lib.swift.o"])
        // Swift Build: the debugger's wrapper is under Modules/.
        let objects = "out/Intermediates.noindex/P.build/Debug-linux/Lib.build/Objects-normal/x86_64"
        try touch([objects + "/Lib.o", objects + "/Modules/Lib.o", "out/Products/Debug-linux/Lib.o"], under: directory.path)
        let swiftBuild = BuildLayout.swiftBuild(productsDirectory: directory.path + "/out/Products/Debug-linux", packageName: "P")
        #expect(swiftBuild.objectNames(ofModule: "Lib") == ["Lib.o"])
        #expect(swiftBuild.moduleDirectories["Lib"] == directory.path + "/" + objects)
    }
}

/// The pieces of the per-test reach that read bytes and names, not whole objects.
@Suite struct TestReachPiecesTests {
    @Test func onlyNOPsAndInt3ArePadding() {
        #expect(ObjectGraph.isPadding([0x90, 0xCC, 0x66, 0x90, 0x0F, 0x1F, 0x44, 0x00, 0x00][...]))
        #expect(ObjectGraph.isPadding([0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00][...]))
        #expect(ObjectGraph.isPadding([0x0F, 0x1F, 0x40, 0x00][...]))
        // A `ret`, a `push rbp`, a NOP cut short: code.
        #expect(!ObjectGraph.isPadding([0x90, 0xC3][...]))
        #expect(!ObjectGraph.isPadding([0x55][...]))
        #expect(!ObjectGraph.isPadding([0x0F, 0x1F, 0x44, 0x00][...]))
    }

    @Test func aCallOrJumpIsReadInEitherForm() {
        // A short jump (EB) and a long one (E9) to offset 0 from a part at 16…: both lead to 0.
        let short: [UInt8] = Array(repeating: 0xCC, count: 16) + [0xEB, 0xEE]
        let long: [UInt8] = Array(repeating: 0xCC, count: 16) + [0xE9, 0xEB, 0xFF, 0xFF, 0xFF]
        let fromShort = ObjectGraph.intraSectionReferences(short[...], from: 16..<18, covered: [])
        let fromLong = ObjectGraph.intraSectionReferences(long[...], from: 16..<21, covered: [])
        #expect(fromShort.contains { $0.kind == "jmp" && $0.target == 0 && $0.replaced == 16..<18 })
        #expect(fromLong.contains { $0.kind == "jmp" && $0.target == 0 && $0.replaced == 16..<21 })
        // Bytes a relocation fills are the linker's.
        #expect(!ObjectGraph.intraSectionReferences(long[...], from: 16..<21, covered: [17]).contains { $0.kind == "jmp" })
    }

    @Test func aMangledNameSpellsATypeOfTheClosureButNotAProtocol() {
        #expect(ObjectGraph.leadingIdentifier("3Lib3FooVMn") == "3Lib")
        #expect(ObjectGraph.leadingIdentifier("Lib") == nil)
        let types = ["Lib.Foo", "Lib.Outer.Inner"]
        #expect(ObjectGraph.spellsType("Say3Lib3FooVG", modules: ["3Lib"], types: types))
        #expect(ObjectGraph.spellsType("3Lib5OuterV5InnerV", modules: ["3Lib"], types: types))
        // A protocol, a longer name, another module, a pointer's placeholder with no module spelled.
        #expect(!ObjectGraph.spellsType("$s3Lib5ShapeP", modules: ["3Lib"], types: types))
        #expect(!ObjectGraph.spellsType("3Lib6FooBarV", modules: ["3Lib"], types: types))
        #expect(!ObjectGraph.spellsType("5Other3FooV", modules: ["3Lib"], types: types))
        #expect(!ObjectGraph.spellsType("_____ySiG", modules: ["3Lib"], types: types))
        // A protocol nested in a type names the type as its context only; its metatype is the type.
        #expect(!ObjectGraph.spellsType("3Lib3FooV4RuleP", modules: ["3Lib"], types: types))
        #expect(ObjectGraph.spellsType("3Lib3FooVm", modules: ["3Lib"], types: types))
        // A name the demangler cannot read, that spells the module: counted.
        #expect(ObjectGraph.spellsType("_____y3Lib3FooVG", modules: ["3Lib"], types: types))
    }
    @Test func aRemoteObjectThatLooksTypesUpByNameIsFoundInItsSymbolNames() {
        func object(_ names: [String]) -> [UInt8] { [0x7f, 0x45, 0x4c, 0x46, 0] + names.flatMap { Array($0.utf8) + [0] } }
        #expect(ObjectGraph.typeLookupByName(inObject: object(["main", "$ss11_typeByNameyypXpSgSSF", "x"])) == "$ss11_typeByNameyypXpSgSSF")
        #expect(ObjectGraph.typeLookupByName(inObject: object(["$s10Foundation17NSKeyedUnarchiverC9unarchiveyyF"])) == ObjectGraph.keyedUnarchiver)
        // The compiler's own lookups of the names it wrote (`…InContext`) are no lookup by a name made at run time.
        #expect(ObjectGraph.typeLookupByName(inObject: object(["swift_getTypeByMangledNameInContext", "xswift_getTypeByMangledNam"])) == nil)
        #expect(ObjectGraph.typeLookupByName(inObject: object(["swift_getTypeByMangledName"])) == "swift_getTypeByMangledName")
        #expect(ObjectGraph.contains(Array("abcabd".utf8), Array("abd".utf8)) && !ObjectGraph.contains(Array("abcab".utf8), Array("abd".utf8)))
    }
}

/// A damaged or hand-made object (a package can ship one, or a build can leave one half-written) is read
/// or refused, never a trap: real objects with their headers' and symbols' fields overwritten.
@Suite struct DamagedObjectTests {
    @Test func objectsWithOverwrittenFieldsAreReadOrRefused() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/damaged.c"
        let source = """
            int counter = 3; static int hidden[64];
            int add(int a, int b) { return a + b + counter; }
            int twice(int a) { return add(a, a) + hidden[a & 63]; }
            const char *name(void) { return "damaged"; }
            """
        try Data(source.utf8).write(to: URL(fileURLWithPath: file))
        let object = directory.path + "/damaged.o"
        let compiled = try runProgram(
            "/usr/bin/env", ["clang", "-c", "-O0", "-ffunction-sections", "-fdata-sections", file, "-o", object])
        #expect(compiled.status == 0, "clang: \(compiled.stderr)")
        let original = try #require(FileManager.default.contents(atPath: object).map(Array.init))
        #expect(ObjectGraph(original) != nil)
        // Values that overflow sums and conversions, and plain noise.
        let values: [UInt64] = [.max, 1 << 63, (1 << 63) - 1, 1 << 48, 0xFFFF_FFFF, UInt64(original.count) + 1, 0]
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 11
        }
        var read = 0
        for round in 0..<3_000 {
            var bytes = original
            // Mostly the tables at the end of the file (section headers, symbols, relocations), where the
            // sizes and offsets live; now and then anywhere.
            for _ in 0..<(1 + Int(next() % 3)) {
                let span = round % 4 == 0 ? bytes.count : min(bytes.count, 2_048)
                let at = (bytes.count - span + Int(next() % UInt64(span))) & ~7
                let value = next() % 4 == 0 ? next() : values[Int(next() % UInt64(values.count))]
                for index in 0..<8 where at + index < bytes.count { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
            }
            guard let graph = ObjectGraph(bytes) else { continue }
            read += 1
            let member = ObjectGraph.Member(label: "damaged.o", graph: graph, wholeDigest: "", isEntry: true)
            _ = ObjectGraph.reachableDigests([member])
        }
        // Some damage leaves an object readable: the graph of those was made, too.
        #expect(read > 0)
    }
}
