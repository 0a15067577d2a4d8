import Testing
@testable import TestCacheCore

@Suite struct TestInputsTests {
    static let log = Array("""
        r /src/P/Fixtures/expected.json
        r /src/P/Tests/T/../../Fixtures//other.json
        s /src/P/Fixtures/maybe.txt
        d /src/P/Fixtures/set
        x /src/P/scripts/tool.sh
        w /src/P/Fixtures/generated.txt
        r /src/P/Fixtures/generated.txt
        r /src/P/.build/debug/math
        r /src/P/.swiftpm/config
        r /src/P/custom-scratch/debug/thing
        r /opt/swift/usr/lib/swift/linux/libFoundation.so
        r /proc/self/maps
        r /src/Pother/file.txt
        s /src/P
        e HOME
        e API_URL
        e PWD
        e SWIFT_TESTCACHE_TRACE_LOG
        q unknown kind
        r
        e TORN
        """.utf8)

    @Test func theLogIsParsedByKindAndUnknownLinesAreSkipped() {
        let log = TraceLog(parsing: Self.log)
        #expect(log.read.contains("/src/P/Fixtures/expected.json"))
        #expect(log.written == ["/src/P/Fixtures/generated.txt"])
        #expect(log.probed == ["/src/P/Fixtures/maybe.txt", "/src/P"])
        #expect(log.listed == ["/src/P/Fixtures/set"])
        #expect(log.executed == ["/src/P/scripts/tool.sh"])
        #expect(log.variables == ["HOME", "API_URL", "PWD", "SWIFT_TESTCACHE_TRACE_LOG", "TORN"])
        #expect(!log.wholeEnvironment)
        #expect(TraceLog(parsing: Array("E *\n".utf8)).wholeEnvironment)
    }

    @Test func inputsAreWhatTheTestConsultedInsideThePackageButNotWhatItBuiltOrWrote() {
        let inputs = TestInputs(
            log: TraceLog(parsing: Self.log), root: "/src/P", ignoredDirectories: ["custom-scratch"],
            baselineVariables: ["HOME"])
        #expect(inputs.files == ["Fixtures/expected.json", "Fixtures/maybe.txt", "Fixtures/other.json", "scripts/tool.sh"])
        #expect(inputs.directories == ["Fixtures/set"])
        #expect(inputs.variables == ["API_URL", "TORN"])
        #expect(!inputs.wholeEnvironment)
    }

    @Test func pathsAreNormalizedWithoutTheFileSystem() {
        #expect(normalizedPath("/a/./b//c/../d") == "/a/b/d")
        #expect(normalizedPath("/../x") == "/x")
        #expect(normalizedPath("/") == "/")
    }
}
