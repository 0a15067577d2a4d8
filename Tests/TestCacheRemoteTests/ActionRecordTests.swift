import Foundation
import Testing
import TestCacheStore
@testable import TestCacheRemote

@Suite struct ActionRecordTests {
    static let key = ActionID(hex: String(repeating: "ab", count: 32))!
    static let otherKey = ActionID(hex: String(repeating: "cd", count: 32))!
    static let hash = OutputID(of: Array("blob".utf8)).hex

    @Test func aSignedRecordVerifiesOnlyWithItsSecretAndUnderItsKey() throws {
        let secret = Array("team secret".utf8)
        let bytes = ActionRecord(hash: Self.hash, size: 4).encoded(key: Self.key, signingKey: secret)
        let record = try #require(ActionRecord(parsing: bytes))
        #expect(record.hash == Self.hash && record.size == 4 && record.signature != nil)
        #expect(record.verifies(key: Self.key, with: secret))
        #expect(!record.verifies(key: Self.key, with: Array("guess".utf8)))
        #expect(!record.verifies(key: Self.otherKey, with: secret), "a record moved to another key")
        var tampered = record
        tampered.size = 5
        #expect(!tampered.verifies(key: Self.key, with: secret))
    }

    @Test func anUnsignedRecordIsUsableOnlyWithoutASecret() throws {
        let record = try #require(ActionRecord(parsing: ActionRecord(hash: Self.hash, size: 4).encoded(key: Self.key, signingKey: nil)))
        #expect(record.signature == nil)
        #expect(record.verifies(key: Self.key, with: nil))
        #expect(!record.verifies(key: Self.key, with: Array("secret".utf8)))
    }

    @Test(arguments: [
        "", "stc-remote-ac 1", "stc-remote-ac 2\ncas \(hash) 4\n", "stc-remote-ac 1\ncas nothex 4\n",
        "stc-remote-ac 1\ncas \(hash) -1\n", "stc-remote-ac 1\ncas \(hash)\n", "stc-remote-ac 1\ncas \(hash) 4\nhmac\n",
        "stc-remote-ac 1\ncas \(hash) 4\nsomething else\n", "\u{0}\u{1}garbage",
    ])
    func garbageIsNotARecord(text: String) {
        #expect(ActionRecord(parsing: Array(text.utf8)) == nil)
    }

    @Test func urlsMustBeHTTPWithAHost() throws {
        #expect(try RemoteCacheConfiguration(url: "http://127.0.0.1:8080/cache/").baseURL == "http://127.0.0.1:8080/cache")
        #expect(try RemoteCacheConfiguration(url: "https://user:pw@cache.example.com").baseURL == "https://user:pw@cache.example.com")
        for bad in ["ftp://host/x", "localhost:8080", "http://", "", "file:///tmp/cache"] {
            let error = try #require(throws: TestCacheError.self, "\(bad)") { try RemoteCacheConfiguration(url: bad) }
            #expect(error.code == .remoteCache)
        }
    }
}
