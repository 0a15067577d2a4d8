import Foundation
import TestCacheStore

/// What a package declares about one test target's inputs in `.swift-testcache.json`.
package struct TargetSettings: Sendable, Equatable {
    /// Files, directories or globs (`*`, `?`, `[…]` within a name, `**` across directories), relative to
    /// the package root, whose contents join the target's key whether or not a test is seen reading them.
    package var inputs: [String] = []
    /// Variables (or name patterns) that join the key whatever the tracer sees, baseline and shell-only ones included.
    package var includedVariables: [String] = []
    /// Variables (or name patterns) that never join the key, even when a test reads them.
    package var ignoredVariables: [String] = []
    /// Whether results are cached at all; false for tests that talk to the network (Bazel's `external`).
    package var cache = true
    /// Whether results are also cached per test (`"granularity": "test"`, the default), or only for
    /// the whole target (`"target"`): the way back for tests that depend on each other's side effects.
    package var perTest = true
    /// The quarantine's patterns that name this target's tests: they join its keys, so that a result
    /// stored before a test was quarantined (or after it was released) is not replayed.
    package var quarantine: [String] = []

    package init() {}

    /// Whether a variable is ignored by name or pattern.
    func ignores(_ variable: String) -> Bool {
        ignoredVariables.contains { fnmatch($0, variable, 0) == 0 }
    }

    /// Adds what these settings put into a target's key: the declarations themselves, every declared
    /// file's content (or its absence), and every included variable's value (or that it is unset).
    func add(to key: inout FieldHasher, hasher: InputHasher, environment: [String: String]) {
        for pattern in inputs {
            key.update(KeyField(kind: .declaredInputs), pattern)
            let files = Self.files(matching: pattern, hasher: hasher)
            if files.isEmpty { key.update(KeyField(kind: .declaredFile, subject: pattern), "absent") }
            for file in files { key.update(KeyField(kind: .declaredFile, subject: file.path), file.digest.hex) }
        }
        var included: Set<String> = []
        for pattern in includedVariables {
            key.update(KeyField(kind: .declaredVariables), pattern)
            included.formUnion(environment.keys.filter { fnmatch(pattern, $0, 0) == 0 })
            // A plain name is an input even while it is unset: setting it later must miss.
            if !pattern.contains(where: Self.wildcards.contains) { included.insert(pattern) }
        }
        for name in included.sorted() {
            key.update(KeyField(kind: .declaredVariable, subject: name), environment[name].map { "=" + $0 } ?? "unset")
        }
        for pattern in ignoredVariables { key.update(KeyField(kind: .ignoredVariables), pattern) }
        for pattern in quarantine { key.update(KeyField(kind: .quarantine), pattern) }
    }

    /// Characters that make a path component or a variable name a pattern.
    static let wildcards: Set<Character> = ["*", "?", "["]

    /// The files a declared input names, relative to the root, sorted: a file, every file under a
    /// directory, or every file a glob matches. Build output and `.git` are never matched.
    static func files(matching pattern: String, hasher: InputHasher) -> [(path: String, digest: OutputID)] {
        let components = pattern.split(separator: "/").map(String.init)
        let literal = components.prefix { !$0.contains(where: wildcards.contains) }
        let base = literal.isEmpty ? "." : literal.joined(separator: "/")
        if literal.count == components.count {
            if let digest = hasher.hashFile(base) { return [(base, digest)] }
            return hasher.hashTree(base)
        }
        // The tree's paths are relative to the root; the pattern's rest matches what follows the base.
        let rest = Array(components.dropFirst(literal.count))
        return hasher.hashTree(base).filter { file in
            matches(rest[...], file.path.split(separator: "/").dropFirst(literal.count).map(String.init)[...])
        }
    }

    /// Whether path components match pattern components, `**` standing for any number of directories.
    private static func matches(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            return matches(pattern.dropFirst(), path) || (!path.isEmpty && matches(pattern, path.dropFirst()))
        }
        guard let name = path.first, fnmatch(first, name, FNM_PERIOD) == 0 else { return false }
        return matches(pattern.dropFirst(), path.dropFirst())
    }
}

/// Tests whose failures do not fail the run: they still run and report, and are never cached as passes
/// while quarantined (`"quarantine"` in `.swift-testcache.json`), as Trunk and Buildkite quarantine flaky
/// tests. Each entry is a test ID (`Module.Class/testMethod`, `Module.Suite/test()`) or a pattern of them
/// (`*`, `?` and `[…]` as in a shell, `*` crossing `/`), starting with the test target's module name.
package struct Quarantine: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var pattern: String
        /// Why, as the file says (an issue link, say); shown beside the test's failure.
        package var reason: String?
    }

    package var entries: [Entry] = []

    package init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// The entry that quarantines the test `id`, if any.
    package func entry(for id: String) -> Entry? {
        entries.first { fnmatch($0.pattern, id, 0) == 0 }
    }

    /// The module an entry's pattern names: what comes before its first `.`.
    static func module(of pattern: String) -> String {
        String(pattern.prefix { $0 != "." })
    }

    /// Why `pattern` is not a quarantine entry, or nil when it is: a module name (an identifier, no
    /// wildcard), a dot, then the rest of a test ID, with every `[` closed.
    static func problem(with pattern: String) -> String? {
        let module = module(of: pattern)
        guard let first = module.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
            module.unicodeScalars.allSatisfy({ $0 == "_" || CharacterSet.alphanumerics.contains($0) }),
            pattern.count > module.count + 1
        else { return "'\(pattern)' is not a test ID or pattern starting with its module (Module.Class/testMethod, Module.Suite/test())" }
        var open = false
        for character in pattern {
            if character == "[" { open = true } else if character == "]" { open = false }
        }
        return open ? "'\(pattern)' has a '[' that is never closed" : nil
    }
}

/// A package's `.swift-testcache.json`: settings for every test target, and per target.
///
/// ```json
/// {
///   "inputs": ["Fixtures/**/*.json"],
///   "quarantine": ["NetworkTests.ReconnectTests/testSlowServer", { "test": "UITests.*", "reason": "#123" }],
///   "environment": { "include": ["API_URL"], "ignore": ["BUILD_TAG"] },
///   "targets": {
///     "NetworkTests": { "cache": false },
///     "OrderedTests": { "granularity": "target" },
///     "ParserTests": { "inputs": ["Grammar"], "environment": { "include": ["PARSER_*"] } }
///   }
/// }
/// ```
/// A target's settings are those for all targets plus its own; its own `cache` wins.
package struct PackageSettings: Sendable, Equatable {
    /// The file's name at the package root. JSON, as swift-format's `.swift-format` is: Foundation reads it,
    /// so the tool needs no parser of its own, and every editor checks its syntax.
    package static let fileName = ".swift-testcache.json"

    package var all = TargetSettings()
    /// The tests whose failures do not fail a run.
    package var quarantine = Quarantine()
    /// Settings per test target, by name.
    package var targets: [String: TargetSettings] = [:]
    /// The `cache` and `granularity` targets give for themselves (they win over those given for all).
    private var perTargetCache: [String: Bool] = [:]
    private var perTargetPerTest: [String: Bool] = [:]

    package init() {}

    /// The settings that apply to `target`.
    package func settings(for target: String) -> TargetSettings {
        var merged = all
        // A test target's module is its name with what an identifier cannot hold made `_`.
        let module = String(target.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        merged.quarantine = quarantine.entries.map(\.pattern).filter { Quarantine.module(of: $0) == module }
        guard let own = targets[target] else { return merged }
        merged.inputs += own.inputs
        merged.includedVariables += own.includedVariables
        merged.ignoredVariables += own.ignoredVariables
        merged.cache = perTargetCache[target] ?? all.cache
        merged.perTest = perTargetPerTest[target] ?? all.perTest
        return merged
    }

    /// The settings of the package at `root`: none when it has no settings file.
    package static func load(root: String) throws -> PackageSettings {
        guard let bytes = FileSystem.contents(root + "/" + fileName) else {
            if FileSystem.status(following: root + "/" + fileName) != nil {
                throw TestCacheError(.settings, "\(fileName) cannot be read")
            }
            return PackageSettings()
        }
        return try PackageSettings(parsing: bytes)
    }

    /// Parses the file's text; anything it does not know is an error naming it, so that a misspelt key
    /// does not silently leave a test uncached or unsound.
    package init(parsing bytes: [UInt8]) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw TestCacheError(.settings, "\(Self.fileName) is not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)")
        }
        guard let top = object as? [String: Any] else { throw TestCacheError(.settings, "\(Self.fileName) must hold a JSON object") }
        for key in top.keys where !["inputs", "environment", "cache", "granularity", "targets", "quarantine"].contains(key) {
            throw TestCacheError(.settings, "\(Self.fileName): unknown key '\(key)' (known: inputs, environment, cache, granularity, targets, quarantine)")
        }
        if let list = top["quarantine"] {
            guard let items = list as? [Any] else { throw TestCacheError(.settings, "\(Self.fileName): quarantine must be a list") }
            for item in items {
                let entry: Quarantine.Entry
                if let pattern = item as? String {
                    entry = Quarantine.Entry(pattern: pattern)
                } else if let object = item as? [String: Any], let pattern = object["test"] as? String,
                    object.keys.allSatisfy(["test", "reason"].contains), object["reason"] == nil || object["reason"] is String
                {
                    entry = Quarantine.Entry(pattern: pattern, reason: object["reason"] as? String)
                } else {
                    throw TestCacheError(.settings, "\(Self.fileName): quarantine entries are test IDs or {\"test\": ID, \"reason\": text}")
                }
                if let problem = Quarantine.problem(with: entry.pattern) { throw TestCacheError(.settings, "\(Self.fileName): quarantine: \(problem)") }
                quarantine.entries.append(entry)
            }
        }
        let (all, cache, perTest) = try Self.parseTarget(top, at: "")
        self.all = all
        self.all.cache = cache ?? true
        self.all.perTest = perTest ?? true
        if let targets = top["targets"] {
            guard let byName = targets as? [String: Any] else { throw TestCacheError(.settings, "\(Self.fileName): 'targets' must be an object keyed by test target name") }
            for (name, value) in byName {
                guard let entry = value as? [String: Any] else { throw TestCacheError(.settings, "\(Self.fileName): targets.\(name) must be an object") }
                for key in entry.keys where !["inputs", "environment", "cache", "granularity"].contains(key) {
                    throw TestCacheError(.settings, "\(Self.fileName): unknown key '\(key)' in targets.\(name) (known: inputs, environment, cache, granularity)")
                }
                let (settings, cache, perTest) = try Self.parseTarget(entry, at: "targets.\(name).")
                self.targets[name] = settings
                if let cache { perTargetCache[name] = cache }
                if let perTest { perTargetPerTest[name] = perTest }
            }
        }
    }

    /// Checks that every target the file names is a test target of the package.
    package func validate(testTargets: [String]) throws {
        for name in targets.keys.sorted() where !testTargets.contains(name) {
            throw TestCacheError(.settings, "\(Self.fileName) names '\(name)', which is not a test target of this package; its test targets are: \(testTargets.joined(separator: ", "))")
        }
        for entry in quarantine.entries where !testTargets.contains(where: { settings(for: $0).quarantine.contains(entry.pattern) }) {
            throw TestCacheError(.settings, "\(Self.fileName): quarantine: '\(entry.pattern)' names no test target's module; its test targets are: \(testTargets.joined(separator: ", "))")
        }
    }

    private static func parseTarget(_ object: [String: Any], at path: String) throws -> (TargetSettings, cache: Bool?, perTest: Bool?) {
        var settings = TargetSettings()
        settings.inputs = try strings(object["inputs"], at: path + "inputs")
        for input in settings.inputs where input.isEmpty || input.hasPrefix("/") || input.split(separator: "/").contains("..") {
            throw TestCacheError(.settings, "\(fileName): \(path)inputs: '\(input)' must be a path inside the package, relative to its root")
        }
        if let environment = object["environment"] {
            guard let entry = environment as? [String: Any] else {
                throw TestCacheError(.settings, "\(fileName): \(path)environment must be an object with 'include' and 'ignore' lists")
            }
            for key in entry.keys where !["include", "ignore"].contains(key) {
                throw TestCacheError(.settings, "\(fileName): unknown key '\(key)' in \(path)environment (known: include, ignore)")
            }
            settings.includedVariables = try strings(entry["include"], at: path + "environment.include")
            settings.ignoredVariables = try strings(entry["ignore"], at: path + "environment.ignore")
        }
        var cache: Bool?
        if let value = object["cache"] {
            // JSONSerialization gives NSNumber for numbers and booleans alike, and `as? Bool` takes 0 and 1;
            // a boolean's Objective-C type is "c" (char), a number's never is.
            guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
                throw TestCacheError(.settings, "\(fileName): \(path)cache must be true or false")
            }
            cache = number.boolValue
        }
        var perTest: Bool?
        if let value = object["granularity"] {
            guard let word = value as? String, word == "test" || word == "target" else {
                throw TestCacheError(.settings, "\(fileName): \(path)granularity must be \"test\" or \"target\"")
            }
            perTest = word == "test"
        }
        return (settings, cache, perTest)
    }

    private static func strings(_ value: Any?, at path: String) throws -> [String] {
        guard let value else { return [] }
        guard let list = value as? [Any], let strings = list as? [String] else {
            throw TestCacheError(.settings, "\(fileName): \(path) must be a list of strings")
        }
        return strings
    }
}
