/// What the tests of one target reached when they were last keyed one by one, and why each test that
/// then ran did: `explain --tests` prints it, and the next run compares its own reach with it.
///
/// A test's reach is the objects every test of its target reaches (by member, as keyed) and the sections
/// only it reaches (by member and section, as keyed), so a test that ran is told apart by what changed
/// in what it reaches: a function, a string, a type's metadata, with the object it is in.
struct TestRunRecord: Codable, Sendable, Equatable {
    /// The key of what every test of the target shares outside the objects (options, declared and traced
    /// inputs, the build's inputs).
    var common: String
    /// What every test reaches, per member (`Calc/Calc.swift.o`): its digest.
    var shared: [String: String]
    /// The sections some test reaches alone, as `member` TAB `section`, and their digests.
    var labels: [String] = []
    var digests: [String] = []
    /// Per test ID, the indices in ``labels`` of the sections it reaches alone.
    var own: [String: [Int]] = [:]
    /// Per test that ran, why.
    var ran: [String: String] = [:]
    /// How many tests were replayed.
    var replayed = 0
    /// The tests that failed in the run this record keyed; nil in records older than it.
    var failed: [String]? = nil
    /// What every test reaches, per section (`member` TAB `section`): the start of its digest, enough to
    /// tell which changed; nil in records older than it.
    var sharedSections: [String: String]? = nil
    /// How much of a shared section's digest is kept: it names a change, it keys nothing.
    static let sharedDigestLength = 16

    init(common: String, shared: [String: String], own: [String: [(label: String, digest: String)]], sharedSections: [(label: String, digest: String)] = []) {
        self.common = common
        self.shared = shared
        if !sharedSections.isEmpty {
            self.sharedSections = Dictionary(sharedSections.map { ($0.label, String($0.digest.prefix(Self.sharedDigestLength))) }, uniquingKeysWith: { first, _ in first })
        }
        var index: [String: Int] = [:]
        for (test, sections) in own {
            self.own[test] = sections.map { section in
                if let known = index[section.label] { return known }
                labels.append(section.label)
                digests.append(section.digest)
                index[section.label] = labels.count - 1
                return labels.count - 1
            }
        }
    }

    /// The sections `test` reaches alone, label to digest; nil when it was not keyed.
    func sections(of test: String) -> [String: String]? {
        // The indices come back from the store: one that names no label (a damaged record) is passed over.
        own[test].map { indices in
            Dictionary(indices.filter { labels.indices.contains($0) && digests.indices.contains($0) }.map { (labels[$0], digests[$0]) },
                       uniquingKeysWith: { first, _ in first })
        }
    }

    /// How many changes a reason names: the first few say why.
    static let listedChanges = 3

    /// Whether `test` is keyed now exactly as in this record (the previous run's): nothing it reaches
    /// changed, and no input every test shares.
    func keptItsKey(_ test: String, now: TestRunRecord) -> Bool {
        guard let before = sections(of: test), let after = now.sections(of: test) else { return false }
        return before == after && shared == now.shared && common == now.common
    }

    /// Why `test` misses now, as this record (the previous run's) and `now` tell it. `path` gives the
    /// steps along which the test reaches a section (`member` TAB `section`) now.
    func reason(for test: String, now: TestRunRecord, path: (String) -> [String]? = { _ in nil }) -> String {
        guard let before = sections(of: test), let after = now.sections(of: test) else {
            return "it is new here (no earlier run keyed it)"
        }
        var changes: [(text: String, label: String?)] = []
        for member in Set(shared.keys).union(now.shared.keys).sorted() where shared[member] != now.shared[member] {
            guard let old = sharedSections, let new = now.sharedSections else {
                changes.append(("what every test of the target reaches in \(member)", nil))
                continue
            }
            let prefix = member + "\t"
            let labels = Set(old.keys.filter { $0.hasPrefix(prefix) }).union(new.keys.filter { $0.hasPrefix(prefix) }).sorted()
            let changed = labels.filter { old[$0] != new[$0] }
            if changed.isEmpty { changes.append(("what every test of the target reaches in \(member)", nil)) }
            for label in changed {
                let described = Self.describe(label)
                changes.append((old[label] == nil ? "\(described) (newly reached by every test)" : new[label] == nil
                    ? "\(described) (no longer reached)" : "\(described), which every test reaches", label))
            }
        }
        for label in Set(before.keys).union(after.keys).sorted() where before[label] != after[label] {
            let described = Self.describe(label)
            changes.append((before[label] == nil ? "\(described) (newly reached)" : after[label] == nil ? "\(described) (no longer reached)" : described, label))
        }
        guard !changes.isEmpty else {
            return common != now.common
                ? "an input every test of the target shares changed (an option, a declared or traced input; `explain` before a run names it)"
                : "nothing it reaches changed, but no pass of it is stored for this code (it failed, or its result was trimmed)"
        }
        var text = "it reaches changed " + changes.prefix(Self.listedChanges).map(\.text).joined(separator: "; ")
        if changes.count > Self.listedChanges { text += "; and \(changes.count - Self.listedChanges) more" }
        // Along which steps it reaches the first change it still reaches.
        if let steps = changes.compactMap(\.label).firstNonNil(path), steps.count > 1 {
            text += "; along " + steps.joined(separator: " → ")
        }
        return text
    }

    /// `Calc/Calc.swift.o` TAB `.text.$s4Calc3addyS2i_SitF#0` → `Calc.add(Swift.Int, Swift.Int) -> Swift.Int
    /// in Calc/Calc.swift.o`: the symbol the section holds, demangled, and its object.
    static func describe(_ label: String) -> String {
        let parts = label.split(separator: "\t", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return label }
        let (member, section) = (parts[0], parts[1])
        var symbol = section
        if let at = section.firstIndex(of: "@") {
            symbol = String(section[section.index(after: at)...])
        } else if let prefix = ObjectGraph.perSymbolPrefixes.first(where: { section.hasPrefix($0) }) {
            symbol = String(section.dropFirst(prefix.count))
            if let hash = symbol.lastIndex(of: "#") { symbol = String(symbol[..<hash]) }
        }
        let readable = Demangler.demangle(symbol) ?? symbol
        return "`\(readable.count > 120 ? readable.prefix(117) + "..." : readable)` in \(member)"
    }
}

extension Sequence {
    /// The first non-nil value `transform` gives for the elements, in order; later ones are not transformed.
    func firstNonNil<T>(_ transform: (Element) -> T?) -> T? {
        for element in self { if let value = transform(element) { return value } }
        return nil
    }
}
