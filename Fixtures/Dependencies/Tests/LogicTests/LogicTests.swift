import Logic
import Testing

@Test func scalesByThree() {
    #expect(scaledValue(2) == 6)
}
