// What TestOwnership reads from the package's Swift sources: the functions declared `override`, and how
// often a name is used in code rather than in comments and strings.
import Foundation

extension TestOwnership {
    /// The base names of the functions declared with `override` in `sources`.
    static func overriddenFunctions(in sources: [String]) -> Set<String> {
        var found: Set<String> = []
        for text in sources where text.contains("override") {
            // `override func f`, `public override func f`, `override public final func f`: the modifiers
            // between the two keywords are words, never a brace or a semicolon.
            var search = text.startIndex..<text.endIndex
            while let keyword = text.range(of: "override", range: search) {
                search = keyword.upperBound..<text.endIndex
                let rest = text[keyword.upperBound...]
                guard let end = rest.firstIndex(where: { "{};=(".contains($0) }), let function = rest[..<end].range(of: "func ")
                else { continue }
                let name = rest[function.upperBound..<end].trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 == "_" || $0.isLetter || $0.isNumber }
                if !name.isEmpty { found.insert(String(name)) }
            }
        }
        return found
    }

    /// Counts, for each of `words`, how often it appears in `text` as a whole identifier in code: a
    /// comment or a string literal (`XCTFail("testFoo failed")`) calls nothing, but an interpolation in
    /// one (`"\(testFoo())"`) may, and so does a raw string's, which is read as code. A word right after
    /// `@` or `#` is an attribute or a macro (`@autoclosure`, `#expect`), never a function's name: a test
    /// named `autoclosure` is not called by `@autoclosure` (swift-log's `LoggingTest.autoclosure()` was
    /// shared by every test for it).
    static func countWords(in text: String, among words: Set<String>, into counts: inout [String: Int]) {
        let scalars = Array(text.unicodeScalars)
        var current = ""
        /// Whether the word being read follows `@` or `#`.
        var attribute = false
        func flush() {
            if !current.isEmpty, !attribute, words.contains(current) { counts[current, default: 0] += 1 }
            current = ""
        }
        /// The interpolations being read, innermost last: the parentheses open in each, and whether
        /// its string is a multi-line one.
        var interpolations: [(parentheses: Int, multiline: Bool)] = []
        var inString = false
        var multiline = false
        var index = 0
        func at(_ offset: Int, _ character: Unicode.Scalar) -> Bool {
            index + offset < scalars.count && scalars[index + offset] == character
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if inString {
                if scalar == "\\" {
                    if at(1, "(") {
                        interpolations.append((0, multiline))
                        inString = false
                        index += 2
                        continue
                    }
                    index += 2
                    continue
                }
                if scalar == "\"" && (!multiline || (at(1, "\"") && at(2, "\""))) {
                    inString = false
                    index += multiline ? 3 : 1
                    continue
                }
                index += 1
                continue
            }
            if scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if current.isEmpty { attribute = index > 0 && (scalars[index - 1] == "@" || scalars[index - 1] == "#") }
                current.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            flush()
            if scalar == "/" && at(1, "/") {
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
                continue
            }
            if scalar == "/" && at(1, "*") {
                index += 2
                while index < scalars.count && !(scalars[index] == "*" && at(1, "/")) { index += 1 }
                index += 2
                continue
            }
            if scalar == "\"" && index > 0 && scalars[index - 1] == "#" {
                // A raw string: read as code up to its closing quote, so its interpolations count, and
                // its quotes never open a string.
                index += 1
                while index < scalars.count && !(scalars[index] == "\"" && at(1, "#")) {
                    let inner = scalars[index]
                    if inner == "_" || inner.properties.isAlphabetic || ("0"..."9").contains(inner) {
                        if current.isEmpty { attribute = scalars[index - 1] == "@" || scalars[index - 1] == "#" }
                        current.unicodeScalars.append(inner)
                    } else {
                        flush()
                    }
                    index += 1
                }
                flush()
                index += 2
                continue
            }
            if scalar == "\"" {
                inString = true
                multiline = at(1, "\"") && at(2, "\"")
                index += multiline ? 3 : 1
                continue
            }
            if !interpolations.isEmpty {
                if scalar == "(" { interpolations[interpolations.count - 1].parentheses += 1 }
                if scalar == ")" {
                    if interpolations[interpolations.count - 1].parentheses == 0 {
                        multiline = interpolations.removeLast().multiline
                        inString = true
                        index += 1
                        continue
                    }
                    interpolations[interpolations.count - 1].parentheses -= 1
                }
            }
            index += 1
        }
        flush()
    }
}
