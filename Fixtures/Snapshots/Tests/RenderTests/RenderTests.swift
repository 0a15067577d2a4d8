import Foundation
import Render
import XCTest

final class RenderTests: XCTestCase {
    func testRenderMatchesItsSnapshot() throws {
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/render.txt")
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        XCTAssertEqual(render(1), expected, "snapshot render.txt")
    }
}
