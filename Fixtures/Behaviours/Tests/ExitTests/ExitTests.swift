import Foundation
import Testing

/// Swift Testing runs the closure in a child process it launches from the test binary itself.
@Test func crashesInAChildProcess() async {
    await #expect(processExitsWith: .failure) {
        fatalError("the child is expected to crash")
    }
}
