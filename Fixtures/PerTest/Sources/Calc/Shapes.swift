/// Reached through a protocol witness.
public protocol Shape {
    var area: Int { get }
}

public struct Square: Shape {
    public let side: Int
    public init(side: Int) { self.side = side }
    public var area: Int { side * side }
}

public struct Rect: Shape {
    public let width: Int, height: Int
    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }
    public var area: Int { width * height }
}

/// Reached through a vtable.
open class Animal {
    public init() {}
    open func sound() -> String { "" }
}

public final class Dog: Animal {
    public override func sound() -> String { "woof" }
}

public final class Cat: Animal {
    public override func sound() -> String { "meow" }
}

/// Another module's type conforming to this one's protocol: found by a cast to `Shape` only.
extension Int: Shape {
    public var area: Int { self }
}
