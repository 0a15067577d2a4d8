import Testing
import TestCacheStore

@Suite struct KeyTests {
    @Test func outputIDIsThePlainSHA256() {
        // FIPS 180-2's test vector for "abc".
        #expect(OutputID(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hexRoundTrips() throws {
        let id = key("x")
        #expect(id.hex.count == 64)
        #expect(ActionID(hex: id.hex) == id)
        let output = OutputID(of: [1, 2, 3])
        #expect(OutputID(hex: output.hex) == output)
    }

    @Test(arguments: ["", "abc", String(repeating: "g", count: 64), String(repeating: "A", count: 64), String(repeating: "0", count: 63)])
    func malformedHexIsRejected(_ text: String) {
        #expect(ActionID(hex: text) == nil)
        #expect(OutputID(hex: text) == nil)
    }

    @Test func keysDependOnNameSaltAndEveryField() {
        func make(_ name: String, _ version: String, _ fields: [String]) -> ActionID {
            var hasher = KeyHasher(name: name, salt: KeySalt(toolVersion: version))
            for field in fields { hasher.update(field) }
            return hasher.finalize()
        }
        let base = make("test", "1.0", ["a", "b"])
        #expect(make("test", "1.0", ["a", "b"]) == base)
        #expect(make("other", "1.0", ["a", "b"]) != base)
        #expect(make("test", "1.1", ["a", "b"]) != base)
        #expect(make("test", "1.0", ["a", "c"]) != base)
        // Field boundaries count: no two sequences of fields share an encoding.
        #expect(make("test", "1.0", ["ab", "c"]) != make("test", "1.0", ["a", "bc"]))
        #expect(make("test", "1.0", ["a", ""]) != make("test", "1.0", ["a"]))
    }

    @Test func namedFieldsAreFieldPairs() {
        var named = KeyHasher(name: "n", salt: testSalt)
        named.update(field: "k", "v")
        var plain = KeyHasher(name: "n", salt: testSalt)
        plain.update("k")
        plain.update("v")
        #expect(named.finalize() == plain.finalize())
    }

    @Test func subkeysDependOnParentAndDescription() {
        let parent = key("parent")
        #expect(parent.subkey("inputs", salt: testSalt) == parent.subkey("inputs", salt: testSalt))
        #expect(parent.subkey("inputs", salt: testSalt) != parent.subkey("components", salt: testSalt))
        #expect(parent.subkey("inputs", salt: testSalt) != key("other").subkey("inputs", salt: testSalt))
        #expect(parent.subkey("inputs", salt: testSalt) != parent)
    }

    @Test func traceReportsEveryField() {
        let log = WarningLog()
        var hasher = KeyHasher(name: "traced", salt: testSalt, trace: log.function)
        hasher.update(field: "toolchain", "6.3.1")
        hasher.update(key("dep"))
        let id = hasher.finalize()
        #expect(log.all == [
            "HASH[traced]: toolchain = \"6.3.1\"",
            "HASH[traced]: action \(key("dep").hex)",
            "HASH[traced]: => \(id.hex)",
        ])
    }
}

@Suite struct LocationTests {
    @Test func explicitDirectoryWins() throws {
        let environment = ["SWIFT_TESTCACHE_DIR": "/tmp/c/", "XDG_CACHE_HOME": "/x", "HOME": "/h"]
        #expect(try StoreLocation.directory(environment: environment) == "/tmp/c")
    }

    @Test func relativeExplicitDirectoryIsAnError() {
        #expect {
            try StoreLocation.directory(environment: ["SWIFT_TESTCACHE_DIR": "cache", "HOME": "/h"])
        } throws: { error in
            "\(error)" == "SWIFT_TESTCACHE_DIR must be an absolute path, not 'cache'"
        }
    }

    @Test func xdgThenHome() throws {
        #expect(try StoreLocation.directory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/swift-testcache")
        #expect(try StoreLocation.directory(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"]) == "/h/.cache/swift-testcache")
        #expect(try StoreLocation.directory(environment: ["HOME": "/h"]) == "/h/.cache/swift-testcache")
        let error = try #require(throws: TestCacheError.self) { try StoreLocation.directory(environment: [:]) }
        #expect(error.code == .store)
    }

    static let sizes: [(String, Int64)] = [
        ("1024", 1024), ("10K", 10 << 10), ("500M", 500 << 20), ("2G", 2 << 30), ("1t", 1 << 40),
        ("500MB", 500 << 20), ("2GiB", 2 << 30), (" 3m ", 3 << 20), ("0", 0),
    ]

    @Test(arguments: sizes)
    func sizesParse(_ text: String, _ expected: Int64) {
        #expect(StoreLocation.parseByteSize(text) == expected)
    }

    @Test(arguments: ["", "M", "1.5G", "-1", "abc", "10X", "99999999999999999999", "16777216T", "G1"])
    func badSizesDoNotParse(_ text: String) {
        #expect(StoreLocation.parseByteSize(text) == nil)
    }

    @Test func badMaxSizeIsAnErrorNamingTheVariable() throws {
        #expect {
            try StoreLocation.maxSize(environment: ["SWIFT_TESTCACHE_MAX_SIZE": "lots"])
        } throws: { error in
            "\(error)".hasPrefix("SWIFT_TESTCACHE_MAX_SIZE must be a size such as 500M")
        }
        #expect(try StoreLocation.maxSize(environment: [:]) == nil)
        #expect(try StoreLocation.maxSize(environment: ["SWIFT_TESTCACHE_MAX_SIZE": "2G"]) == 2 << 30)
    }
}
