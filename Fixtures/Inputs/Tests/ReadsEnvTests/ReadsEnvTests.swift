import Foundation
import Testing

@Test func theVariableIsNotBad() {
    let value = getenv("STC_INPUT_VALUE").map { String(cString: $0) }
    #expect(value != "bad")
}
