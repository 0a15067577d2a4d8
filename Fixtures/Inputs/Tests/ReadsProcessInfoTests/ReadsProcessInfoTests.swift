import Foundation
import Testing

@Test func theVariableIsNotBad() {
    #expect(ProcessInfo.processInfo.environment["STC_INFO_VALUE"] != "bad")
}
