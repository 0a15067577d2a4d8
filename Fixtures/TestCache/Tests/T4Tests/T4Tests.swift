import P2
import Testing

@Test func t4() {
    #expect(y == 1)
}
