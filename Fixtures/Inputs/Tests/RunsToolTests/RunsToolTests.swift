import Foundation
import XCTest

/// Runs `greet`, an executable this package builds, from the directory the test binary was built in,
/// as swift-argument-parser's example tests run theirs. Nothing in the manifest ties this target to it.
final class RunsToolTests: XCTestCase {
    func testGreetSaysHello() throws {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("greet")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "hello\n")
    }
}
