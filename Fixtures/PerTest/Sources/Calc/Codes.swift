/// How a command ended. `describe()` switches over every case, which the compiler makes a jump table
/// in the file's plain `.rodata`, beside the module's descriptor that every type of the file points at:
/// only the test that describes an outcome reaches it, not every test that makes a value of a type here.
public enum Outcome {
    case ok, usage(String), missing(Int), denied, failed(Double), unknown

    public func describe() -> String {
        switch self {
        case .ok: return "ok"
        case .usage(let text): return "usage: " + text
        case .missing(let count): return "missing \(count)"
        case .denied: return "denied"
        case .failed(let value): return "failed \(value)"
        case .unknown: return "unknown"
        }
    }
}

/// A counter: a class, so making one goes through its metadata, its descriptor and the module's.
public final class Counter {
    public private(set) var value = 0
    public init() {}

    public func bump() -> Int {
        value += 1
        return value
    }
}

/// Generic and inlinable: a caller may hold its own copy of the body, or call this one.
@inlinable public func clamp<Value: Comparable>(_ value: Value, _ low: Value, _ high: Value) -> Value {
    min(max(value, low), high)
}
