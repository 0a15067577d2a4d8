import DemoParser
import Foundation
import Testing

@Test func sumsAList() {
    #expect(sum(of: "1, 2, 3") == 6)
}

@Test func rejectsWords() {
    #expect(sum(of: "1, two") == nil)
}

/// Stands for a slow suite: about two seconds of work, the time the cache saves on every later run.
@Test func sumsManyLists() async throws {
    for size in 1...20 {
        try await Task.sleep(for: .milliseconds(100))
        let list = (1...size).map(String.init).joined(separator: ",")
        #expect(sum(of: list) == size * (size + 1) / 2)
    }
}
