import TestCacheStore

/// What the objects of a target's closure reach, member by member, and the runner's XCTest list left out.
extension ObjectGraph {
    /// Leaves out a generated runner's XCTest list: the function that lists every class and test
    /// (`__allDiscoveredTests()`), and what is nested in it (a closure per test, its forwarders). Swift
    /// Build writes the classes in a new order each time it generates the runner, which renumbers the
    /// closures, so a rebuild changed what every test reaches; SwiftPM's native build, which does the
    /// same, has its list's module left out whole. What the list runs for a test (its class's metadata,
    /// its function) is a root of that test instead (``TestOwnership/runners(ofSymbol:)``), and a test
    /// added or renamed has a new ID. Code without a symbol in the runner goes too: there it is a local
    /// function of the list's (a closure context's destroyer), which moves with the list's order after
    /// another function, and would count with that function as code it falls into. All of the runner's
    /// code is the generator's: it changes with the toolchain, which every key holds.
    mutating func dropTestList() {
        func isList(_ symbol: String) -> Bool {
            // The mangled name abbreviates the word "Tests" (`15__allDiscoveredB0`): it is read demangled.
            symbol.contains("__allDiscovered") && (Demangler.demangle(symbol)?.contains(".__allDiscoveredTests() -> ") ?? false)
        }
        for (index, section) in sections {
            let gap = section.symbols.isEmpty && section.isCode && section.label.contains("@after ")
            if gap || (!section.symbols.isEmpty && section.symbols.allSatisfy(isList)) { sections.removeValue(forKey: index) }
        }
    }

    /// One object of a test target's closure, for ``reachableDigests(_:)``.
    struct Member: Sendable {
        /// How the object is named in the key (`P1/P1.swift.o`).
        var label: String
        /// The object read as a graph; nil when it could not be, and it counts whole by `wholeDigest`.
        var graph: ObjectGraph?
        var wholeDigest: String
        /// Whether every section counts (the test target's own objects): its code is
        /// what runs first.
        var isEntry: Bool

        /// The digest of the sections of it that were reached (by index), with what counts always; the
        /// whole object's when it could not be read as a graph.
        func digest(of reached: some Collection<Int>) -> String {
            guard let graph else { return wholeDigest }
            guard !reached.isEmpty || graph.alwaysCounted != nil else { return "nothing reached" }
            var hasher = KeyHasher(name: "reached-sections", salt: KeySalt(toolVersion: ""))
            if let always = graph.alwaysCounted { hasher.update(field: "sectionless", always) }
            for section in reached.map({ graph.sections[$0]! }).sorted(by: { $0.label < $1.label }) {
                hasher.update(field: section.label, section.digest)
            }
            return "reached " + hasher.finalize().hex
        }
    }

    /// The digest of each member's sections that the entries' code and every member's roots can reach
    /// through relocations, by member label; a member with nothing reachable gives "nothing reached".
    static func reachableDigests(_ members: [Member]) -> [(label: String, digest: String)] {
        var definitions: [String: [(member: Int, section: Int)]] = [:]
        for (index, member) in members.enumerated() {
            for definition in member.graph?.definitions ?? [] {
                definitions[definition.name, default: []].append((index, definition.section))
            }
        }
        var reached = Array(repeating: Set<Int>(), count: members.count)
        var work: [(member: Int, section: Int)] = []
        func reach(_ member: Int, _ section: Int) {
            guard members[member].graph?.sections[section] != nil, reached[member].insert(section).inserted else { return }
            work.append((member, section))
        }
        for (index, member) in members.enumerated() {
            for (section, info) in member.graph?.sections ?? [:] where member.isEntry || !info.reachedOnly {
                reach(index, section)
            }
        }
        while let (member, section) = work.popLast() {
            for target in members[member].graph!.sections[section]!.targets {
                switch target {
                case .section(let index): reach(member, index)
                case .symbol(let name): for definition in definitions[name] ?? [] { reach(definition.member, definition.section) }
                }
            }
        }
        return members.enumerated().map { index, member in (member.label, member.digest(of: reached[index])) }
    }
}
