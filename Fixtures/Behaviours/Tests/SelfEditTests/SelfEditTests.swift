import Foundation
import Testing

/// Stands for a source edited while the tests run: the test rewrites a file of its own target.
@Test func editsAFileOfItsOwnTarget() throws {
    try Data("edited\n".utf8).write(to: URL(fileURLWithPath: "Tests/SelfEditTests/notes.txt"))
}
