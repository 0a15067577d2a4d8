import Foundation
import XCTest

/// Takes ten seconds while .build/slow exists, so that a run can be interrupted in the middle.
final class SlowCase: XCTestCase {
    func testTakesItsTime() {
        if FileManager.default.fileExists(atPath: ".build/slow") { Thread.sleep(forTimeInterval: 10) }
    }
}
