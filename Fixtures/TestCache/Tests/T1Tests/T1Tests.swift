import XCTest

final class T1Tests: XCTestCase {
    func test1() {}
}
