import Reach
import Testing

@Test func doubleTheLimit() {
    #expect(double(limit) == 20)
}
