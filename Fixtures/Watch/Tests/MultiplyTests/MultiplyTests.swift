import Arithmetic
import Testing

@Test func multipliesTwoNumbers() {
    #expect(multiply(2, 3) == 6)
}
