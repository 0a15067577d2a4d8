import Arithmetic
import Testing

@Test func addsTwoNumbers() {
    #expect(add(2, 3) == 5)
}
