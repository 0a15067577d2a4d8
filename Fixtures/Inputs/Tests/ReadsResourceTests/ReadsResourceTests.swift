import Foundation
import Testing

@Test func theResourceSaysResource() throws {
    let url = try #require(Bundle.module.url(forResource: "resource", withExtension: "txt"))
    #expect(try String(contentsOf: url, encoding: .utf8) == "resource\n")
}
