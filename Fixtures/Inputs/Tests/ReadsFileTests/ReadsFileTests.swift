import Foundation
import XCTest

/// The package's Fixtures directory, from this file's path.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Reads a fixture file each of the ways tests usually do.
final class ReadsFileTests: XCTestCase {
    func testTheFixtureSaysExpected() throws {
        XCTAssertEqual(try String(contentsOfFile: fixtures + "/expected.txt", encoding: .utf8), "expected\n")
    }

    func testTheDataFixtureHoldsFourBytes() throws {
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/data.bin")).count, 4)
    }

    func testFileManagerReadsTheManagedFixture() throws {
        XCTAssertEqual(FileManager.default.contents(atPath: fixtures + "/managed.txt"), Data("managed\n".utf8))
    }
}
