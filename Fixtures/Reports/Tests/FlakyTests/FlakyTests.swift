import Foundation
import XCTest

/// Fails the first time it runs in a build directory, and passes from then on: the marker it leaves in
/// .build (never an input) says it ran.
final class FlakyCase: XCTestCase {
    func testFailsOnce() throws {
        let marker = ".build/flaky-marker"
        if !FileManager.default.fileExists(atPath: marker) {
            FileManager.default.createFile(atPath: marker, contents: Data())
            XCTFail("the first run fails")
        }
    }
}
