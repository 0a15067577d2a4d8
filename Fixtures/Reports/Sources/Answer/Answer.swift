/// The answer every test checks.
public func answer() -> Int { 42 }
