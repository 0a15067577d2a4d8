import Foundation
import XCTest

/// The package's Fixtures directory, from this file's path.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

final class ReadsFileTests: XCTestCase {
    func testTheFixtureSaysExpected() throws {
        XCTAssertEqual(try String(contentsOfFile: fixtures + "/expected.txt", encoding: .utf8), "expected\n")
    }
}
