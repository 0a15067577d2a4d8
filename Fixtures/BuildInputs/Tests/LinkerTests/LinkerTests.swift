import Foundation
import XCTest

/// Runs VendorTool, which links vendor/lib/libvendor.a through CVendor's unsafe `-L` flag: nothing in the
/// manifest ties this target to it, and no dependency file names the library.
final class LinkerTests: XCTestCase {
    func testTheVendoredLibrarysValue() throws {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("VendorTool")
        // An environment of its own: this test's result does not depend on the rest of the environment.
        process.environment = [:]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "42\n")
    }
}
