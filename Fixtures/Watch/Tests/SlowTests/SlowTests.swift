import Foundation
import Testing

/// Sleeps a minute while Fixtures/slow exists: a run in progress to interrupt.
@Test func sleepsWhileAskedTo() throws {
    let marker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/slow").path
    if FileManager.default.fileExists(atPath: marker) {
        Thread.sleep(forTimeInterval: 60)
    }
}
