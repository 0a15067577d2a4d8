import Adder

/// The checks the package's own main runs: each a name and whether it held.
public func adderChecks() -> [(name: String, held: Bool)] {
    [("adds", add(2, 2) == 4), ("adds zero", add(0, 5) == 5)]
}
