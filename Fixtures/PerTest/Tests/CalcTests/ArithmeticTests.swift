import Calc
import RunLog
import XCTest

final class ArithmeticTests: XCTestCase {
    func testAdd() {
        ran("testAdd")
        XCTAssertEqual(add(2, 3), 5)
    }

    func testMultiply() {
        ran("testMultiply")
        XCTAssertEqual(multiply(2, 3), 6)
    }

    func testTwiceOfTwo() {
        ran("testTwiceOfTwo")
        XCTAssertEqual(twice(2), 4)
    }

    func testTwiceOfFive() {
        ran("testTwiceOfFive")
        XCTAssertEqual(twice(5), 10)
    }
}

/// The helper two tests share.
func twice(_ n: Int) -> Int { add(n, n) }
