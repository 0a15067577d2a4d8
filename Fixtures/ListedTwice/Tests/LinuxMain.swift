import XCTest

@testable import CountTests
@testable import WordsTests

// ShoutTests is reached twice: through its generated manifest and through its own list.
XCTMain(WordsTests.__allTests() + [testCase(ShoutTests.allTests), testCase(CountTests.allTests)])
