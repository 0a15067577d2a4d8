import Testing
@testable import TestCacheCore

/// Each way a manifest reads the environment, as the mirrored packages' manifests write it (the survey of
/// 170 manifests behind issue 12 found these forms and no others), and the ways whose names cannot be known.
@Suite struct ManifestEnvironmentTests {
    func reads(_ manifest: String) -> ManifestEnvironmentReads {
        ManifestEnvironmentReads(manifest: manifest)
    }

    @Test(arguments: [
        // swift-nio: Context's environment, tested for presence.
        (#"if Context.environment["SWIFTCI_USE_LOCAL_DEPS"] == nil {"#, "SWIFTCI_USE_LOCAL_DEPS"),
        // swift-otel: the value used.
        (#"if ["true", "y", "yes", "on", "1"].contains(Context.environment["OTEL_ENABLE_BENCHMARKS"]?.lowercased()) {"#,
            "OTEL_ENABLE_BENCHMARKS"),
        // swift-crypto: Foundation's.
        (#"if ProcessInfo.processInfo.environment["SWIFTCI_USE_LOCAL_DEPS"] == nil {"#, "SWIFTCI_USE_LOCAL_DEPS"),
        // GRDB: compared with a literal.
        (#"if ProcessInfo.processInfo.environment["SQLITE_ENABLE_PREUPDATE_HOOK"] == "1" {"#, "SQLITE_ENABLE_PREUPDATE_HOOK"),
        // swift-openapi-urlsession: parsed.
        (#"if ProcessInfo.processInfo.environment["SWIFT_OPENAPI_STRICT_CONCURRENCY"].flatMap(Bool.init) ?? false {"#,
            "SWIFT_OPENAPI_STRICT_CONCURRENCY"),
        // ordo-one/benchmark: an optional binding inside a closure.
        ("let dependency: Package.Dependency = {\n    if let localPath = ProcessInfo.processInfo.environment[\"MALLOC_INTERPOSER_LOCAL_PATH\"],\n"
            + "        localPath.isEmpty == false\n    {\n        return .package(path: localPath)\n    }\n    return .package(url: \"u\", from: \"1.0.0\")\n}()",
            "MALLOC_INTERPOSER_LOCAL_PATH"),
        // grpc-swift-protobuf: the keys.
        ("extension Context {\n  fileprivate static var buildCGRPCProtobuf: Bool {\n    let noVersion = Context.environment.keys.contains(\"GRPC_SWIFT_PROTOBUF_NO_VERSION\")\n    return !noVersion\n  }\n}",
            "GRPC_SWIFT_PROTOBUF_NO_VERSION"),
        // C's getenv, and Foundation's other spelling.
        (#"let x = getenv("STC_GETENV") != nil"#, "STC_GETENV"),
        (#"let y = ProcessInfo().environment.index(forKey: "STC_INDEX") != nil"#, "STC_INDEX"),
    ])
    func aReadByALiteralNameKeysThatNameOnly(_ manifest: String, _ name: String) {
        #expect(reads(manifest) == ManifestEnvironmentReads(names: [name]), "\(manifest)")
    }

    @Test func aBindingOfTheEnvironmentIsFollowedToItsSubscripts() {
        // ordo-one/benchmark.
        let manifest = """
            let environment = ProcessInfo.processInfo.environment
            let disableMallocInterposer = environment["BENCHMARK_DISABLE_MALLOC_INTERPOSER"] != nil
                || environment["BENCHMARK_DISABLE_JEMALLOC"] != nil
            """
        #expect(reads(manifest) == ManifestEnvironmentReads(names: ["BENCHMARK_DISABLE_MALLOC_INTERPOSER", "BENCHMARK_DISABLE_JEMALLOC"]))
    }

    @Test func aHelperCalledWithLiteralsReadsThoseNames() {
        // swift-syntax.
        let manifest = """
            var buildDynamicLibrary: Bool { hasEnvironmentVariable("SWIFTSYNTAX_BUILD_DYNAMIC_LIBRARY") }
            var rawSyntaxValidation: Bool { return hasEnvironmentVariable("SWIFTSYNTAX_ENABLE_RAWSYNTAX_VALIDATION") }
            func hasEnvironmentVariable(_ name: String) -> Bool {
              return ProcessInfo.processInfo.environment[name] != nil
            }
            """
        #expect(reads(manifest) == ManifestEnvironmentReads(
            names: ["SWIFTSYNTAX_BUILD_DYNAMIC_LIBRARY", "SWIFTSYNTAX_ENABLE_RAWSYNTAX_VALIDATION"]))
        // The same helper called with a computed name: every variable counts.
        let computed = manifest + "\nlet prefix = \"X\"\nlet z = hasEnvironmentVariable(prefix + \"_ON\")\n"
        #expect(reads(computed).unnamedRead?.contains("hasEnvironmentVariable is called with a computed name") == true)
    }

    @Test func wordsInCommentsAndStringsAreNotReads() {
        // swift-collections mentions the environment only in comments.
        let manifest = """
            // Set SWIFT_DETERMINISTIC_HASHING in the environment to make tests repeatable.
            /* ProcessInfo.processInfo.environment["NOT_READ"] /* nested */ still a comment */
            let note = "the environment is not read here: getenv(\\"NOT_READ\\")"
            let package = Package(name: "P")
            """
        #expect(reads(manifest) == ManifestEnvironmentReads())
    }

    @Test(arguments: [
        ("for (name, value) in ProcessInfo.processInfo.environment { print(name, value) }", "used whole"),
        (#"let flags = Context.environment.filter { $0.key.hasPrefix("FEATURE_") }"#, "used whole"),
        (#"let name = "A" + "B"; let v = Context.environment[name]"#, "computed (name)"),
        (#"let v = Context.environment["FEATURE_\(suffix)"]"#, "computed"),
        (#"configure(ProcessInfo.processInfo.environment)"#, "used whole"),
        ("extension Context { static var on: Bool { Self.environment[\"X\"] != nil } }", "not understood"),
    ])
    func aReadWhoseNameCannotBeKnownMakesEveryVariableCount(_ manifest: String, _ why: String) {
        let found = reads(manifest)
        #expect(found.unnamedRead?.contains(why) == true, "\(manifest): \(String(describing: found.unnamedRead))")
        #expect(found.unnamedRead?.contains("(line 1)") == true)
    }
}
