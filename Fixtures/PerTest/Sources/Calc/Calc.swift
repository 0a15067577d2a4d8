/// Called by testAdd, and by the helper the two twice tests share.
public func add(_ a: Int, _ b: Int) -> Int { a + b }

/// Called by testMultiply only.
public func multiply(_ a: Int, _ b: Int) -> Int { a * b }

/// Called by the parameterized test only.
public func square(_ n: Int) -> Int { n * n }

/// Called by the ordered suite only.
public func negate(_ n: Int) -> Int { -n }
