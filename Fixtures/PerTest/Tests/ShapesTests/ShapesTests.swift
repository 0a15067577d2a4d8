import Calc
import RunLog
import Testing

@Suite struct ShapesTests {
    @Test func squareArea() {
        ran("squareArea")
        let shape: any Shape = Square(side: 3)
        #expect(shape.area == 9)
    }

    @Test func rectArea() {
        ran("rectArea")
        let shape: any Shape = Rect(width: 2, height: 3)
        #expect(shape.area == 6)
    }

    /// Finds the witness by a cast at run time: no pointer to it in this code.
    @Test func castArea() {
        ran("castArea")
        let value: Any = Rect(width: 2, height: 2)
        #expect((value as? any Shape)?.area == 4)
    }

    /// Finds `Int`'s conformance to `Shape` by a cast.
    @Test func intArea() {
        ran("intArea")
        let value: Any = 7
        #expect((value as? any Shape)?.area == 7)
    }

    @Test func dogSound() {
        ran("dogSound")
        let animal: Animal = Dog()
        #expect(animal.sound() == "woof")
    }

    @Test(arguments: [2, 3, 4])
    func squares(n: Int) {
        ran("squares(\(n))")
        #expect(square(n) == n * n)
    }
}
