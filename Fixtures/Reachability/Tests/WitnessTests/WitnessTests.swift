import Reach
import Testing

@Test func greets() {
    #expect(makeGreeter().greet() == "hello")
}
