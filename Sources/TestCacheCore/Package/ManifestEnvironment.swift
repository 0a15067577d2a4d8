/// The environment variables a manifest can read, found in its text, so that only those (and not the
/// whole environment) join the keys of what it builds.
///
/// A manifest reads a variable by name in a handful of ways: `Context.environment["X"]`,
/// `ProcessInfo.processInfo.environment["X"]` (or through a binding of either), `getenv("X")`,
/// `.keys.contains("X")`, `.index(forKey: "X")`, and helpers that take the name as a parameter and are
/// called with literals. Anything else that touches the environment (iterating it, a name computed or
/// interpolated, the dictionary handed elsewhere) is a read whose names cannot be known, and then every
/// variable counts. Comments never count: the text is read as tokens, so the word in a comment or a
/// string is not a read.
struct ManifestEnvironmentReads: Equatable, Sendable {
    /// The variables read by name.
    var names: Set<String> = []
    /// Why every variable counts: the first read whose name cannot be known, with its line; nil when every
    /// read is named.
    var unnamedRead: String?

    /// Adds what another manifest reads.
    mutating func formUnion(_ other: ManifestEnvironmentReads) {
        names.formUnion(other.names)
        if unnamedRead == nil { unnamedRead = other.unnamedRead }
    }

    /// Reads the manifest's text.
    init(manifest text: String) {
        let tokens = SwiftTokens(text).tokens
        var scanner = Scanner(tokens: tokens)
        scanner.scan()
        names = scanner.names
        unnamedRead = scanner.unnamed
    }

    init(names: Set<String> = [], unnamedRead: String? = nil) {
        self.names = names
        self.unnamedRead = unnamedRead
    }
}

/// Walks a manifest's tokens for reads of the environment.
private struct Scanner {
    let tokens: [SwiftToken]
    var names: Set<String> = []
    var unnamed: String?
    /// Identifiers bound to the environment dictionary (`let env = ProcessInfo.processInfo.environment`).
    var aliases: Set<String> = []
    /// Helpers that read the variable their parameter names: the helper's name and the parameter's position.
    var helpers: [String: Int] = [:]
    /// The tokens understood as part of a read, a binding or a helper.
    var consumed: Set<Int> = []

    init(tokens: [SwiftToken]) {
        self.tokens = tokens
    }

    mutating func scan() {
        // Two passes: the first finds aliases and helpers wherever they are declared, the second their uses.
        for pass in 0..<2 {
            var index = 0
            while index < tokens.count {
                index = visit(index, collecting: pass == 0)
            }
        }
        for (helper, position) in helpers.sorted(by: { $0.key < $1.key }) {
            collectCalls(of: helper, argument: position)
        }
        // The environment reached any other way (`Self.environment` in an extension of Context, a
        // `Process`'s environment…) cannot be read by name.
        for index in tokens.indices where !consumed.contains(index) {
            if tokens[index].kind == .identifier("environment") || tokens[index].kind == .identifier("getenv") {
                unknown("the environment is reached in a way not understood", at: index)
            }
        }
    }

    /// Looks at the token at `index`; gives the index to continue from.
    mutating func visit(_ index: Int, collecting: Bool) -> Int {
        guard case .identifier(let word) = tokens[index].kind else { return index + 1 }
        if word == "getenv", isPunctuation(index + 1, "(") {
            if !collecting {
                consumed.insert(index)
                readArgument(at: index + 2, in: index)
            }
            return index + 2
        }
        guard let end = environmentExpression(at: index) else { return index + 1 }
        if !collecting { consumed.formUnion(index...end) }
        if collecting {
            // `let NAME = <environment>` binds an alias.
            if index >= 2, isPunctuation(index - 1, "="), case .identifier(let alias) = tokens[index - 2].kind,
                index >= 3, case .identifier(let keyword) = tokens[index - 3].kind, keyword == "let" || keyword == "var",
                !isMemberAccess(end + 1)
            {
                aliases.insert(alias)
            }
            return end + 1
        }
        use(ofEnvironmentEndingAt: end, startingAt: index)
        return end + 1
    }

    /// The index of the last token of an expression that is the environment dictionary starting at
    /// `index`, or nil: `ProcessInfo.processInfo.environment`, `ProcessInfo().environment`,
    /// `Context.environment`, or an alias.
    func environmentExpression(at index: Int) -> Int? {
        guard case .identifier(let word) = tokens[index].kind else { return nil }
        // Part of a longer member chain (`x.environment` where x is not one of ours) is not the environment.
        if index > 0, isPunctuation(index - 1, ".") { return nil }
        if aliases.contains(word) {
            // The alias's own declaration is not a use.
            if index > 0, case .identifier(let keyword) = tokens[index - 1].kind, keyword == "let" || keyword == "var" {
                return nil
            }
            return index
        }
        let chains: [[String]] = [
            ["ProcessInfo", ".", "processInfo", ".", "environment"],
            ["ProcessInfo", "(", ")", ".", "environment"],
            ["Context", ".", "environment"],
        ]
        for chain in chains where matches(chain, at: index) {
            return index + chain.count - 1
        }
        return nil
    }

    /// What follows the environment expression ending at `end` says which variable it reads.
    mutating func use(ofEnvironmentEndingAt end: Int, startingAt start: Int) {
        // `let env = <environment>`: the alias's uses are read where they are.
        if start >= 2, isPunctuation(start - 1, "="), case .identifier(let alias) = tokens[start - 2].kind,
            aliases.contains(alias)
        {
            consumed.insert(start - 2)
            return
        }
        if isPunctuation(end + 1, "[") {
            readArgument(at: end + 2, in: start)
            return
        }
        if matches([".", "keys", ".", "contains", "("], at: end + 1) {
            readArgument(at: end + 6, in: start)
            return
        }
        if matches([".", "index", "(", "forKey", ":"], at: end + 1) {
            readArgument(at: end + 6, in: start)
            return
        }
        unknown("the environment is used whole", at: start)
    }

    /// The name at `index` is a literal (a read by name), a parameter of the function around it (a
    /// helper), or anything else (a read whose name cannot be known).
    mutating func readArgument(at index: Int, in start: Int) {
        guard index < tokens.count else { return unknown("a read at the end of the file", at: start) }
        switch tokens[index].kind {
        case .string(let value, let interpolated) where !interpolated && closesArgument(index + 1):
            names.insert(value)
        case .identifier(let name) where closesArgument(index + 1):
            if let (function, position) = enclosingParameter(named: name, before: index) {
                helpers[function] = position
            } else {
                unknown("a variable whose name is computed (\(name))", at: start)
            }
        default:
            unknown("a variable whose name is computed", at: start)
        }
    }

    /// Every call of `helper` must pass a literal at `argument`: each is a read by name.
    mutating func collectCalls(of helper: String, argument position: Int) {
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard case .identifier(let word) = tokens[index].kind, word == helper, isPunctuation(index + 1, "("),
                !(index > 0 && tokens[index - 1].kind == .identifier("func"))
            else { continue }
            guard let argument = argumentStart(afterParenthesisAt: index + 1, position: position) else {
                unknown("\(helper) is called without its name argument", at: index)
                continue
            }
            if argument < tokens.count, case .string(let value, false) = tokens[argument].kind, closesArgument(argument + 1) {
                names.insert(value)
            } else {
                unknown("\(helper) is called with a computed name", at: index)
            }
        }
    }

    /// The first token of the argument at `position` of the call whose `(` is at `open`, past its label.
    func argumentStart(afterParenthesisAt open: Int, position: Int) -> Int? {
        var index = open + 1
        var depth = 0
        var current = 0
        var start = index
        while index < tokens.count {
            let token = tokens[index]
            if depth == 0 && (token.kind == .punctuation(",") || token.kind == .punctuation(")")) {
                if current == position { break }
                if token.kind == .punctuation(")") { return nil }
                current += 1
                start = index + 1
            } else if token.kind == .punctuation("(") || token.kind == .punctuation("[") {
                depth += 1
            } else if token.kind == .punctuation(")") || token.kind == .punctuation("]") {
                depth -= 1
            }
            index += 1
        }
        guard current == position, start < tokens.count else { return nil }
        // A label: `name: "X"`.
        if case .identifier = tokens[start].kind, isPunctuation(start + 1, ":") { return start + 2 }
        return start
    }

    /// The function whose parameter list declares `name` and whose body holds `index`, with the
    /// parameter's position.
    func enclosingParameter(named name: String, before index: Int) -> (String, Int)? {
        var search = index
        while search > 0 {
            search -= 1
            guard tokens[search].kind == .identifier("func"), case .identifier(let function) = tokens[search + 1].kind,
                isPunctuation(search + 2, "(")
            else { continue }
            // The parameters: `label name: Type` or `name: Type`, separated by commas at depth 0.
            var position = 0
            var cursor = search + 3
            var depth = 0
            var found: Int?
            var previous: [String] = []
            while cursor < index {
                let kind = tokens[cursor].kind
                if depth == 0, kind == .punctuation(")") { break }
                if kind == .punctuation("(") || kind == .punctuation("[") || kind == .punctuation("<") { depth += 1 }
                if kind == .punctuation(")") || kind == .punctuation("]") || kind == .punctuation(">") { depth -= 1 }
                if depth == 0, kind == .punctuation(",") {
                    position += 1
                    previous = []
                } else if depth == 0, kind == .punctuation(":") {
                    if previous.last == name { found = position }
                } else if case .identifier(let word) = kind, depth == 0 {
                    previous.append(word)
                }
                cursor += 1
            }
            return found.map { (function, $0) }
        }
        return nil
    }

    mutating func unknown(_ why: String, at index: Int) {
        if unnamed == nil { unnamed = "\(why) (line \(tokens[min(index, tokens.count - 1)].line))" }
    }

    func closesArgument(_ index: Int) -> Bool {
        guard index < tokens.count else { return false }
        return [.punctuation("]"), .punctuation(")"), .punctuation(",")].contains(tokens[index].kind)
    }

    func isPunctuation(_ index: Int, _ character: Character) -> Bool {
        index >= 0 && index < tokens.count && tokens[index].kind == .punctuation(character)
    }

    func isMemberAccess(_ index: Int) -> Bool {
        isPunctuation(index, ".") || isPunctuation(index, "[")
    }

    /// Whether the tokens from `index` spell `words` (identifiers and one-character punctuation).
    func matches(_ words: [String], at index: Int) -> Bool {
        guard index >= 0, index + words.count <= tokens.count else { return false }
        for (offset, word) in words.enumerated() {
            switch tokens[index + offset].kind {
            case .identifier(let name) where name == word: continue
            case .punctuation(let character) where String(character) == word: continue
            default: return false
            }
        }
        return true
    }
}

/// One token of Swift source, as far as finding reads of the environment needs.
struct SwiftToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        /// A string literal's text (escapes kept as written); `interpolated` when it has `\(…)`.
        case string(String, interpolated: Bool)
        case punctuation(Character)
        case number
    }

    var kind: Kind
    /// Its line, from 1.
    var line: Int
}

/// Splits Swift source into tokens, dropping comments (line, block and nested block) and white space.
struct SwiftTokens {
    private(set) var tokens: [SwiftToken] = []

    init(_ text: String) {
        let characters = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < characters.count ? characters[index + offset] : nil
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\n" {
                line += 1
                index += 1
            } else if character.properties.isWhitespace {
                index += 1
            } else if character == "/" && peek(1) == "/" {
                while index < characters.count && characters[index] != "\n" { index += 1 }
            } else if character == "/" && peek(1) == "*" {
                var depth = 0
                repeat {
                    if peek() == "/" && peek(1) == "*" {
                        depth += 1
                        index += 2
                    } else if peek() == "*" && peek(1) == "/" {
                        depth -= 1
                        index += 2
                    } else {
                        if peek() == "\n" { line += 1 }
                        index += 1
                    }
                } while depth > 0 && index < characters.count
            } else if character == "\"" || (character == "#" && (peek(1) == "\"" || peek(1) == "#")) {
                let startLine = line
                var hashes = 0
                while peek() == "#" {
                    hashes += 1
                    index += 1
                }
                let multiline = peek() == "\"" && peek(1) == "\"" && peek(2) == "\""
                index += multiline ? 3 : 1
                var value = ""
                var interpolated = false
                let closing = [Unicode.Scalar](repeating: "\"", count: multiline ? 3 : 1) + [Unicode.Scalar](repeating: "#", count: hashes)
                let escape = ["\\"] + [Unicode.Scalar](repeating: "#", count: hashes)
                func spells(_ sequence: [Unicode.Scalar], at position: Int) -> Bool {
                    guard position + sequence.count <= characters.count else { return false }
                    for offset in sequence.indices where characters[position + offset] != sequence[offset] { return false }
                    return true
                }
                while index < characters.count {
                    if spells(closing, at: index) {
                        index += closing.count
                        break
                    }
                    if spells(escape, at: index) && index + escape.count < characters.count {
                        let escaped = characters[index + escape.count]
                        if escaped == "(" { interpolated = true }
                        value.unicodeScalars.append(contentsOf: escape)
                        value.unicodeScalars.append(escaped)
                        index += escape.count + 1
                        continue
                    }
                    if characters[index] == "\n" { line += 1 }
                    value.unicodeScalars.append(characters[index])
                    index += 1
                }
                tokens.append(SwiftToken(kind: .string(value, interpolated: interpolated), line: startLine))
            } else if character == "_" || character.properties.isAlphabetic {
                var word = ""
                while let next = peek(), next == "_" || next.properties.isAlphabetic || next.properties.numericType != nil {
                    word.unicodeScalars.append(next)
                    index += 1
                }
                tokens.append(SwiftToken(kind: .identifier(word), line: line))
            } else if character.properties.numericType != nil {
                while let next = peek(), next.properties.numericType != nil || next == "." || next == "_" || next.properties.isAlphabetic {
                    index += 1
                }
                tokens.append(SwiftToken(kind: .number, line: line))
            } else if character == "`" {
                // A quoted identifier: `default`.
                index += 1
                var word = ""
                while let next = peek(), next != "`", next != "\n" {
                    word.unicodeScalars.append(next)
                    index += 1
                }
                index += 1
                tokens.append(SwiftToken(kind: .identifier(word), line: line))
            } else {
                tokens.append(SwiftToken(kind: .punctuation(Character(character)), line: line))
                index += 1
            }
        }
    }
}
