import Foundation
import Words
import XCTest

final class ShoutTests: XCTestCase {
    static var allTests = [
        ("testShout", testShout),
        ("testSecondRun", testSecondRun),
    ]

    func testShout() {
        logRun("testShout")
        XCTAssertEqual(shout("hi"), "HI!")
    }

    /// How many times testSecondRun ran in this process.
    static var runs = 0

    /// Passes the first time a process runs it; fails every later time while the file `second-run-fails`
    /// is in the working directory.
    func testSecondRun() {
        logRun("testSecondRun")
        Self.runs += 1
        if Self.runs > 1 && FileManager.default.fileExists(atPath: "second-run-fails") {
            XCTFail("run \(Self.runs) of this test in one process")
        }
    }
}
