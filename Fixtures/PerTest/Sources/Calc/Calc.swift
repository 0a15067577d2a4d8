/// Called by testAdd, and by the helper the two twice tests share.
public func add(_ a: Int, _ b: Int) -> Int { a + b }

/// Called by testMultiply only.
public func multiply(_ a: Int, _ b: Int) -> Int { a * b }

/// Called by the parameterized test only.
public func square(_ n: Int) -> Int { n * n }

/// Called by the ordered suite only.
public func negate(_ n: Int) -> Int { -n }

/// A step a test class runs twice through a protocol: the class's test method is the witness, called
/// through the witness table (and, the class not being final, its vtable), never by name in the tests.
public protocol Repeats {
    func testStep()
}

extension Repeats {
    public func runStepTwice() {
        testStep()
        testStep()
    }
}
