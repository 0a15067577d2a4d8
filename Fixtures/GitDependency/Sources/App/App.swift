import Dep

/// Twice the dependency's value.
public func doubled() -> Int {
    2 * Dep.value
}
