import Foundation

/// The Swift Testing suites of a target marked `.serialized`, found in its sources: their tests run one
/// after another, in order, and may rely on what an earlier one did, so each such suite is one unit of
/// the cache (its tests are keyed, looked up and run together).
///
/// A `.serialized` that is not the argument of a `@Suite` on a type declaration (or of a `@Test`, whose
/// arguments are one unit already) cannot be tied to a suite: it is ``unattributed``, and the target is
/// then cached only whole. A mention in a comment or a string counts too: a doubt is never a split.
struct SerializedSuites: Sendable, Equatable {
    /// The names of the serialized types (the last component of an extension's dotted name).
    var names: Set<String> = []
    /// A `.serialized` that no suite declaration owns, as `file:line`, when there is one.
    var unattributed: String?

    /// - Parameter sources: each source file's path and text.
    init(sources: [(path: String, text: String)]) {
        for (path, text) in sources {
            let scalars = Array(text.unicodeScalars)
            var search = text.startIndex
            while let found = text.range(of: ".serialized", range: search..<text.endIndex) {
                search = found.upperBound
                let offset = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: found.lowerBound)
                switch Self.owner(of: offset, in: scalars) {
                case .suite(let name): names.insert(name)
                case .test: break
                case nil:
                    if unattributed == nil {
                        let line = text[..<found.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                        unattributed = "\(path):\(line)"
                    }
                }
            }
        }
    }

    /// Whether a test, by its ID (`Module.Suite/Inner/foo()`), is in a serialized suite, and which:
    /// the outermost serialized type its ID names.
    func suite(of testID: String) -> String? {
        guard !names.isEmpty, let name = TestOwnership.Name(testID: testID) else { return nil }
        return name.context.split(separator: ".").dropFirst().map(String.init).first(where: names.contains)
    }

    /// Every test of `ids` in a serialized suite that one of `toRun` is in.
    func wholeSuites(of toRun: Set<String>, among ids: [String]) -> Set<String> {
        let suites = Set(toRun.compactMap(suite(of:)))
        guard !suites.isEmpty else { return [] }
        return Set(ids.filter { suite(of: $0).map(suites.contains) ?? false })
    }

    enum Owner: Equatable {
        case suite(String)
        case test
    }

    /// What the attribute around the `.serialized` at `offset` applies to: `@Suite(…)` before a type
    /// declaration gives that type, `@Test(…)` a test; nil for anything else.
    static func owner(of offset: Int, in text: [Unicode.Scalar]) -> Owner? {
        // The parenthesis this argument list opened, scanning back over balanced ones.
        var depth = 0
        var index = offset - 1
        while index >= 0 {
            if text[index] == ")" { depth += 1 }
            if text[index] == "(" {
                if depth == 0 { break }
                depth -= 1
            }
            index -= 1
        }
        guard index > 0 else { return nil }
        var nameEnd = index
        while nameEnd > 0 && text[nameEnd - 1] == " " { nameEnd -= 1 }
        var nameStart = nameEnd
        while nameStart > 0 && (text[nameStart - 1].properties.isAlphabetic || text[nameStart - 1] == "@") { nameStart -= 1 }
        let attribute = String(String.UnicodeScalarView(text[nameStart..<nameEnd]))
        if attribute == "@Test" { return .test }
        guard attribute == "@Suite" else { return nil }
        // The end of the attribute's argument list.
        depth = 0
        var end = index
        while end < text.count {
            if text[end] == "(" { depth += 1 }
            if text[end] == ")" {
                depth -= 1
                if depth == 0 { break }
            }
            end += 1
        }
        guard end < text.count else { return nil }
        // Words after it: other attributes and modifiers, then the declaration's keyword and name.
        var words: [String] = []
        var cursor = end + 1
        while cursor < text.count && words.count < 12 {
            let scalar = text[cursor]
            if scalar == "@" || scalar.properties.isAlphabetic || scalar == "_" {
                var word = ""
                while cursor < text.count, text[cursor] == "@" || text[cursor] == "_" || text[cursor] == "."
                    || text[cursor].properties.isAlphabetic || ("0"..."9").contains(text[cursor])
                {
                    word.unicodeScalars.append(text[cursor])
                    cursor += 1
                }
                if let last = words.last, ["struct", "class", "actor", "enum", "extension"].contains(last) {
                    return word.isEmpty ? nil : .suite(String(word.split(separator: ".").last ?? ""))
                }
                words.append(word)
                if word.hasPrefix("@"), cursor < text.count, text[cursor] == "(" {
                    // Another attribute's arguments.
                    var inner = 0
                    while cursor < text.count {
                        if text[cursor] == "(" { inner += 1 }
                        if text[cursor] == ")" {
                            inner -= 1
                            if inner == 0 { break }
                        }
                        cursor += 1
                    }
                }
                continue
            }
            guard scalar == " " || scalar == "\n" || scalar == "\t" || scalar == ")" else { return nil }
            cursor += 1
        }
        return nil
    }
}
