// Go's way of writing durations, both ways: `--timeout` takes one, and `-v` and the reports show them.

/// A Go-style duration: `10m0s`, `1m30s`, `5s`, `1.5s`, `250ms`.
public func goDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if seconds == 0 { return "\(attoseconds / 1_000_000_000_000_000)ms" }
    if seconds < 60 {
        let fraction = attoseconds / 1_000_000_000_000_000
        guard fraction > 0 else { return "\(seconds)s" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(seconds).\(digits)s"
    }
    let hours = seconds / 3_600
    let minutes = (seconds % 3_600) / 60
    return (hours > 0 ? "\(hours)h" : "") + "\(minutes)m\(seconds % 60)s"
}

/// Parses a Go-style duration: a sequence of numbers with units h, m, s, ms (`1h30m`, `90s`, `1.5s`).
public func parseGoDuration(_ text: String) -> Duration? {
    var total: Double = 0
    var rest = Substring(text)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        let unit = rest.prefix { $0.isLetter }
        rest = rest.dropFirst(unit.count)
        switch unit {
        case "h": total += value * 3_600
        case "m": total += value * 60
        case "s": total += value
        case "ms": total += value / 1_000
        default: return nil
        }
    }
    // A duration no Int64 of milliseconds holds (about 292 million years, or an overflow to infinity) is
    // not one a user means: refused like any other that does not parse.
    guard total > 0, let milliseconds = Int64(exactly: (total * 1_000).rounded(.down)) else { return nil }
    return .milliseconds(milliseconds)
}
