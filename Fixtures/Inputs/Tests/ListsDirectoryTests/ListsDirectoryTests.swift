import Foundation
import XCTest

final class ListsDirectoryTests: XCTestCase {
    func testTheSetHasTwoFiles() throws {
        let set = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/set").path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: set).count, 2)
    }
}
