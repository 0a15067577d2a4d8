import Foundation
import TestCacheStore

/// The tests a built test binary holds, by module, for each testing library.
struct TestInventory: Sendable {
    /// Swift Testing's exit status when none of the tests asked for is in the binary (EX_UNAVAILABLE,
    /// 69): a listing of a binary without Swift Testing tests, or a whole runner holding none.
    static let swiftTestingFoundNoTests = Termination.exited(69)

    /// XCTest IDs (`Module.Class/testMethod`) by module.
    var xctest: [String: [String]] = [:]
    /// Swift Testing IDs (`Module.Suite/test()`, `Module.test()`) by module.
    var swiftTesting: [String: [String]] = [:]

    /// No test of either library in any module.
    var isEmpty: Bool { xctest.values.allSatisfy(\.isEmpty) && swiftTesting.values.allSatisfy(\.isEmpty) }

    /// Groups IDs by their module, the part before the first dot.
    static func byModule(_ ids: [String]) -> [String: [String]] {
        Dictionary(grouping: ids) { String($0.prefix { $0 != "." }) }
    }

    /// XCTest's `--list-tests` lines that are test IDs (the listing also prints a header), each once: a
    /// package's own entry point can list a test twice (a class in `XCTMain(…)` by two routes), and the
    /// binary then runs it twice whenever it is selected, so it is one test, keyed and run by one ID.
    static func parseXCTestListing(_ output: [UInt8]) -> [String] {
        unique(String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { line in
            let id = line.trimmingCharacters(in: .whitespaces)
            return id.contains("/") && id.contains(".") && !id.contains(" ") ? id : nil
        })
    }

    /// Swift Testing's `--list-tests` lines: one ID a line, each once. A test is a function, so its ID
    /// names one with its parameter list (`Module.Suite/test()`, `Module.test(x:)/File.swift:3:2`); a line
    /// without one is not Swift Testing's (a binary whose own `main` ignored the request and listed
    /// XCTest's tests instead).
    static func parseSwiftTestingListing(_ output: [UInt8]) -> [String] {
        unique(String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { line in
            let id = line.trimmingCharacters(in: .whitespaces)
            return id.contains(".") && id.contains("(") && !id.hasPrefix("◇") && !id.hasPrefix("↳") && !id.hasPrefix("✔") ? id : nil
        })
    }

    /// `ids` without repeats, in the order each first appears.
    static func unique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }
}

/// The user's `--filter` and `--skip` expressions, compiled once.
struct TestSelection: @unchecked Sendable {
    // Regex is not Sendable; these are only read after init.
    private let filters: [Regex<AnyRegexOutput>]
    private let skips: [Regex<AnyRegexOutput>]

    var isEverything: Bool { filters.isEmpty && skips.isEmpty }

    /// Compiles the expressions; one that does not parse is a usage error naming it.
    init(filters: [String], skips: [String]) throws(TestCacheError) {
        func compile(_ pattern: String, _ option: String) throws(TestCacheError) -> Regex<AnyRegexOutput> {
            do {
                return try Regex(pattern)
            } catch {
                throw TestCacheError(.usage, "\(option) '\(pattern)' is not a valid regular expression: \(error)")
            }
        }
        self.filters = try filters.map { pattern throws(TestCacheError) in try compile(pattern, "--filter") }
        self.skips = try skips.map { pattern throws(TestCacheError) in try compile(pattern, "--skip") }
    }

    /// Whether a test ID is selected: any filter matches somewhere in it (or there are none), no skip does.
    func selects(_ id: String) -> Bool {
        (filters.isEmpty || filters.contains { id.contains($0) }) && !skips.contains { id.contains($0) }
    }
}

/// Escapes a string for use as a literal in a regular expression.
func regexLiteral(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if "\\^$.|?*+()[]{}/-".contains(character) { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}

/// The argument lists that run exactly `ids` in XCTest, split so that no argument exceeds Linux's
/// limit on one argument's length (128 KiB, MAX_ARG_STRLEN), with room to spare.
func xctestSelections(_ ids: [String], allOfModule: [String]) -> [[String]] {
    // Whole classes where every test of a class is selected, to keep the list short.
    var selectedByClass: [String: [String]] = [:]
    var totalByClass: [String: Int] = [:]
    for id in allOfModule { totalByClass[String(id.prefix { $0 != "/" }), default: 0] += 1 }
    for id in ids { selectedByClass[String(id.prefix { $0 != "/" }), default: []].append(id) }
    var items: [String] = []
    for (className, selected) in selectedByClass.sorted(by: { $0.key < $1.key }) {
        items += selected.count == totalByClass[className] ? [className] : selected
    }
    let limit = 100_000
    var chunks: [[String]] = []
    var current: [String] = []
    var length = 0
    for item in items {
        if length + item.count + 1 > limit && !current.isEmpty {
            chunks.append([current.joined(separator: ",")])
            current = []
            length = 0
        }
        current.append(item)
        length += item.count + 1
    }
    if !current.isEmpty { chunks.append([current.joined(separator: ",")]) }
    return chunks
}

/// Seconds with three decimals, as the summary line shows a run's time.
func summaryTime(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    let fraction = String(milliseconds % 1_000)
    return "\(milliseconds / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
}
