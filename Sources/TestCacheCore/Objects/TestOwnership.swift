import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which test, if any, a symbol of a test target belongs to: the test function itself, what is nested in
/// it (closures, local functions, async partial functions) and what a testing library's macro made for
/// it (Swift Testing's `@Test` expansion: the test's record, its generator, its argument and trait
/// closures). Everything else is shared by the target's tests.
///
/// The rules keep every doubt shared, since a section wrongly given to one test would be left out of
/// the keys of the others that run it:
/// - a symbol is matched by its demangled name against the test's type and function, with the test's
///   argument labels (`foo(x:)` is not `foo(y:)`); an XCTest method takes no arguments;
/// - two tests of one type with one base name (`foo(x:)`, `foo(y:)`) own nothing: a macro's expansion
///   names the function by its base name only;
/// - a test whose name appears in the target's sources other than where it is declared owns nothing: it
///   may be called from other code, and a call through a class's vtable or a protocol's witness table
///   leaves no relocation to it (a manual `allTests` list is such a mention, and keeps its class shared);
/// - only per-symbol sections (`.text.$s…`) are owned, and only in the target's own objects.
struct TestOwnership: Sendable {
    /// A test as its ID names it: `Module.Class/testFoo` (XCTest), `Module.Suite/foo(x:)` or
    /// `Module.foo()` (Swift Testing).
    struct Name: Hashable, Sendable {
        /// The type (or module) the function is declared in, dotted: `Module.Outer.Inner`.
        var context: String
        var base: String
        /// The argument labels, `_` for an unlabelled one; none for XCTest.
        var labels: [String]

        init?(testID id: String) {
            if let slash = id.firstIndex(of: "/"), !id.contains("(") || slash < id.firstIndex(of: "(")! {
                // Module.Class/testFoo, Module.Outer/Inner/foo(x:)
                let lastSlash = id[..<(id.firstIndex(of: "(") ?? id.endIndex)].lastIndex(of: "/")!
                context = id[..<lastSlash].replacingOccurrences(of: "/", with: ".")
                let function = id[id.index(after: lastSlash)...]
                guard let split = Self.split(function) else { return nil }
                (base, labels) = split
            } else {
                // Module.foo(): a function at the top level of the module.
                guard let open = id.firstIndex(of: "("), let dot = id[..<open].lastIndex(of: ".") else { return nil }
                context = String(id[..<dot])
                guard let split = Self.split(id[id.index(after: dot)...]) else { return nil }
                (base, labels) = split
            }
            guard !context.isEmpty, !base.isEmpty else { return nil }
        }

        /// `foo(x:_:)` → ("foo", ["x", "_"]); `testFoo` → ("testFoo", []).
        private static func split(_ function: Substring) -> (String, [String])? {
            guard let open = function.firstIndex(of: "(") else { return (String(function), []) }
            guard function.last == ")" else { return nil }
            let inside = function[function.index(after: open)..<function.index(before: function.endIndex)]
            let labels = inside.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            return (String(function[..<open]), labels)
        }
    }

    /// By `context.base`, the test that may own symbols; a test not here owns nothing.
    private let byFunction: [String: Int]
    /// The entries of `byFunction` whose name has a space, a parenthesis or a colon in it (a raw
    /// identifier's), which a demangled name's word before a `(` cannot be: looked for one by one.
    private let spacedFunctions: [(function: String, test: Int)]
    private let names: [Name?]
    /// The tests of each `Context.base(`, owned or not.
    private let testsByFunction: [String: [Int]]
    /// The entries of `testsByFunction` with a `(` before the last (a raw identifier's): looked for one
    /// by one.
    private let spacedRunners: [(function: String, tests: [Int])]
    /// The tests of each XCTest class (`Module.Class`), which XCTest makes an instance of.
    private let testsByClass: [String: [Int]]

    /// - Parameters:
    ///   - tests: the target's test IDs.
    ///   - sources: the texts of the target's source files.
    ///   - symbols: the demangled names of the target's own symbols, where a protocol's witness for a
    ///     test's method is found (``witnessedFunctions(in:)``).
    init(tests: [String], sources: [String], symbols: [String] = []) {
        let names = tests.map(Name.init(testID:))
        self.names = names
        var testsByFunction: [String: [Int]] = [:]
        var testsByClass: [String: [Int]] = [:]
        for (index, (id, name)) in zip(tests, names).enumerated() {
            guard let name else { continue }
            testsByFunction[name.context + "." + name.base + "(", default: []].append(index)
            if !id.contains("(") { testsByClass[name.context, default: []].append(index) }
        }
        self.testsByFunction = testsByFunction
        self.testsByClass = testsByClass
        var byFunction: [String: [Int]] = [:]
        var byBase: [String: Int] = [:]
        /// The base names some XCTest method has: one such name in two classes may be one inherited method.
        var xctestBases: Set<String> = []
        for (index, (id, name)) in zip(tests, names).enumerated() {
            if let name {
                byFunction[name.context + "." + name.base, default: []].append(index)
                byBase[name.base, default: 0] += 1
                if !id.contains("(") { xctestBases.insert(name.base) }
            }
        }
        var mentions: [String: Int] = [:]
        let bases = Set(names.compactMap { $0?.base })
        for text in sources { Self.countWords(in: text, among: bases, into: &mentions) }
        // A method that overrides another or witnesses a protocol's requirement runs through a vtable or
        // a witness table from code that never names it here (a base class's or a protocol extension's,
        // in another module): shared, so that the tests reaching that table reach it.
        let dispatched = Self.overriddenFunctions(in: sources).union(Self.witnessedFunctions(in: symbols))
        var unique: [String: Int] = [:]
        for (function, indices) in byFunction where indices.count == 1 {
            let base = String(function[function.index(after: function.lastIndex(of: ".")!)...])
            // One base name in two XCTests (a method inherited by a subclass, listed as both `Base/testX`
            // and `Derived/testX`, runs the one function through the vtable): neither owns it. Swift
            // Testing's tests of one base name in two suites are two functions, each its suite's (a test
            // is its declaring type's, never inherited): each owns its own, and each declaration is one
            // mention of the name; any other mention shares them all.
            let declarations = xctestBases.contains(base) ? 1 : byBase[base, default: 1]
            if mentions[base, default: 0] <= declarations && (byBase[base] == 1 || !xctestBases.contains(base)) && !dispatched.contains(base) {
                unique[function] = indices[0]
            }
        }
        self.byFunction = unique
        self.spacedFunctions = unique.filter { $0.key.contains(where: Self.isBoundary) }.map { ($0.key, $0.value) }
        self.spacedRunners = testsByFunction.filter { $0.key.dropLast().contains("(") }.map { ($0.key, $0.value) }
    }

    /// What may come before a function's name in a demangled name (`closure #1 in M.T.f(`, `(M.T.f(`,
    /// `: M.T.f(`): a word ends there. ASCII, so never part of another character's UTF-8.
    private static let boundaries: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: ":")]

    private static func isBoundary(_ character: Character) -> Bool { character.asciiValue.map(boundaries.contains) ?? false }

    /// The base names of the functions a protocol witness stands for (`protocol witness for
    /// Lib.Checks.testRoundTrip() -> () in conformance …`), among demangled symbol names.
    static func witnessedFunctions(in symbols: [String]) -> Set<String> {
        var found: Set<String> = []
        for symbol in symbols where symbol.hasPrefix("protocol witness for ") {
            let requirement = symbol.dropFirst("protocol witness for ".count).prefix { $0 != "(" && $0 != " " }
            if let dot = requirement.lastIndex(of: ".") { found.insert(String(requirement[requirement.index(after: dot)...])) }
        }
        return found
    }

    /// The tests whose run starts at a symbol with no pointer to it in the target's objects, by index;
    /// empty for any other symbol. A test's function is run by the tests of that name (whether or not
    /// one owns it: two tests of one base name share it); an XCTest class's metadata accessor or
    /// descriptor by that class's tests (XCTest makes an instance of it, and runs its `setUp` and
    /// `tearDown` through its vtable). SwiftPM's native build keeps the list it runs tests from out of
    /// what is keyed (its order changes each time it is written), so these are roots of those tests.
    /// A subclass's tests reach an inherited method and the superclass's metadata through the subclass's
    /// metadata, which points at both.
    func runners(ofSymbol symbol: String) -> [Int] {
        guard symbol.hasPrefix("$s"), let demangled = Demangler.demangle(symbol) else { return [] }
        var found: [Int] = []
        // A key ends at its only `(`, so the name's text up to its first `(` is the one key it can start with.
        if let open = demangled.firstIndex(of: "(") { found += testsByFunction[String(demangled[...open])] ?? [] }
        for (function, tests) in spacedRunners where demangled.hasPrefix(function) { found += tests }
        for prefix in ["type metadata accessor for ", "nominal type descriptor for ", "full type metadata for ", "type metadata for "]
        where demangled.hasPrefix(prefix) {
            found += testsByClass[String(demangled.dropFirst(prefix.count))] ?? []
        }
        return found
    }

    /// The test a symbol belongs to, by index; nil when it is shared.
    func owner(ofSymbol symbol: String) -> Int? {
        guard symbol.hasPrefix("$s"), !byFunction.isEmpty, let demangled = Demangler.demangle(symbol) else { return nil }
        return owner(ofDemangled: demangled)
    }

    /// The test a demangled name belongs to.
    func owner(ofDemangled text: String) -> Int? {
        // A macro's private names embed the mangled name of the expansion: `($s…fMp_… in _HASH)`.
        var found: Int?
        var search = text[...]
        while let start = search.range(of: "($s") {
            let rest = search[search.index(after: start.lowerBound)...]
            let end = rest.firstIndex { $0 == " " || $0 == ")" } ?? rest.endIndex
            if let inner = Demangler.demangle(String(rest[..<end])), let test = macroOwner(inner) {
                if found != nil && found != test { return nil }
                found = test
            }
            search = rest[end...]
        }
        if let found { return found }
        return functionOwner(text)
    }

    /// `… macro @Test expansion #1 of foo in Module.Suite`: the test `Module.Suite.foo`.
    private func macroOwner(_ inner: String) -> Int? {
        guard let marker = inner.range(of: " expansion #", options: .backwards) else { return nil }
        let after = inner[marker.upperBound...]
        guard let of = after.range(of: " of "), let inRange = after.range(of: " in ", range: of.upperBound..<after.endIndex) else { return nil }
        let base = after[of.upperBound..<inRange.lowerBound]
        let context = after[inRange.upperBound...]
        return byFunction[context + "." + base]
    }

    /// A name with `Module.Suite.foo(` in it, its labels the test's: the function or something in it.
    ///
    /// Each word before a `(` (what follows the last space, parenthesis or colon) is looked up, once per
    /// name rather than once per test: a target's objects have tens of thousands of symbols, and a
    /// target hundreds of tests.
    private func functionOwner(_ text: String) -> Int? {
        var found: Int?
        var conflict = false
        func take(_ test: Int, parameters: Substring) {
            guard let name = names[test], Self.labels(parameters) == name.labels else { return }
            if found != nil && found != test { conflict = true }
            found = test
        }
        // By UTF-8 code unit: the boundaries and `(` are ASCII.
        let utf8 = text.utf8
        var wordStart = utf8.startIndex
        var index = utf8.startIndex
        while index < utf8.endIndex, !conflict {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            if byte == UInt8(ascii: "("), wordStart < index, let test = byFunction[String(text[wordStart..<index])] {
                take(test, parameters: text[next...])
            }
            if Self.boundaries.contains(byte) { wordStart = next }
            index = next
        }
        for (function, test) in spacedFunctions where !conflict {
            var search = text.startIndex..<text.endIndex
            while let range = text.range(of: function + "(", range: search), !conflict {
                search = range.upperBound..<text.endIndex
                if range.lowerBound != text.startIndex, !Self.isBoundary(text[text.index(before: range.lowerBound)]) { continue }
                take(test, parameters: text[range.upperBound...])
            }
        }
        return conflict ? nil : found
    }

    /// The argument labels of a demangled parameter list that starts after its `(`: `x: Swift.Int, _:
    /// Swift.String)` → `["x", "_"]`; an unlabelled parameter (`Swift.Int`) is `_`.
    static func labels(_ list: Substring) -> [String]? {
        var depth = 0
        var parameters: [Substring] = []
        var start = list.startIndex
        var index = list.startIndex
        while index < list.endIndex {
            let character = list[index]
            if "([<".contains(character) {
                depth += 1
            } else if ")]>".contains(character) {
                if depth == 0 {
                    if start < index { parameters.append(list[start..<index]) }
                    break
                }
                depth -= 1
            } else if character == ",", depth == 0 {
                parameters.append(list[start..<index])
                start = list.index(after: index)
            }
            index = list.index(after: index)
        }
        guard index < list.endIndex else { return nil }
        return parameters.map { parameter in
            let trimmed = parameter.drop { $0 == " " }
            guard let colon = trimmed.range(of: ": ") else { return "_" }
            let label = trimmed[..<colon.lowerBound]
            return label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? String(label) : "_"
        }
    }
}
