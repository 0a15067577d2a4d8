import DemoCore
import Foundation

/// Parses a comma-separated list of integers and adds them; nil when a field is not an integer.
public func sum(of text: String) -> Int? {
    let fields = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard fields.allSatisfy({ $0 != nil }) else { return nil }
    return total(fields.compactMap { $0 })
}
