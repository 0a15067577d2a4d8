import Foundation
import Testing

@Test func readsItsResource() throws {
    let url = try #require(Bundle.module.url(forResource: "expected", withExtension: "txt"))
    #expect(try String(contentsOf: url, encoding: .utf8) == "expected contents\n")
}
