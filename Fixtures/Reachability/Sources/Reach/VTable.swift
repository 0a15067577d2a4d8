open class Animal {
    public init() {}
    open func sound() -> String { "..." }
}

/// Its `sound` is reached only through the class's vtable.
final class Dog: Animal {
    override func sound() -> String { "woof" }
}

public func pet() -> Animal { Dog() }
