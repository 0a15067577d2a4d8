import Foundation
import Testing

/// While Fixtures/slow exists, waits a minute on a child shell: a run in progress to interrupt, with a
/// process of its own that only a signal to the whole process group reaches. The child's command line
/// names the package's `Fixtures/slow`, for the test to find it by.
@Test func sleepsWhileAskedTo() throws {
    let marker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/slow").path
    guard FileManager.default.fileExists(atPath: marker) else { return }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/sh")
    // Two commands, so that the shell waits rather than becoming `sleep`.
    child.arguments = ["-c", "sleep 60; true", marker]
    try child.run()
    child.waitUntilExit()
}
