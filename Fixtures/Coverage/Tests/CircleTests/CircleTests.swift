import Shapes
import Testing

@Test func circleArea() {
    #expect(Shapes.circleArea(1) == 3)
}
