public protocol Greeter {
    func greet() -> String
}

/// Internal: its `greet` is reached only through the existential `makeGreeter` returns.
struct English: Greeter {
    func greet() -> String { "hello" }
}

public func makeGreeter() -> any Greeter { English() }
