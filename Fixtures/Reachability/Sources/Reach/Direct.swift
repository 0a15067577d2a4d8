/// Read by DirectTests through its accessor.
public let limit = 10

/// Called by DirectTests.
public func double(_ value: Int) -> Int { value * 2 }

/// Called by no code at all.
public func unused() -> Int { 1 }
