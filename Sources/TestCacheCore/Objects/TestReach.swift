import Foundation
import TestCacheStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ObjectGraph {
    /// One section of one member of a closure.
    struct Place: Hashable, Sendable {
        var member: Int
        var section: Int
    }

    /// What the tests of one target can reach: what all of them can, and what each can beyond that.
    struct TestReach: Sendable {
        /// The digest of each member's shared sections, by member label, as ``reachableDigests(_:)``
        /// gives them.
        var shared: [(label: String, digest: String)]
        /// For each test, by index, the digest of the sections only it reaches ("" when none).
        var own: [String]
        /// For each test, by index, the sections only it reaches: `member` TAB `section` and digest.
        var ownSections: [[(label: String, digest: String)]]
        /// Why every type counts for every test (some code can look a type up by a name spelled at run
        /// time), or nil when a type counts only where reached.
        var typesByName: String?
        /// The sections every test reaches: `member` TAB `section` and digest.
        var sharedSections: [(label: String, digest: String)] = []
        /// How each reached section was reached.
        var paths = ReachPaths()
    }

    /// How each section a test reaches was reached: from which section, back to a root, for
    /// `explain --tests` to say along which calls a test reaches what changed.
    struct ReachPaths: Sendable {
        var members: [Member] = []
        /// Where each section of the shared closure was reached from; a root has none.
        var shared: [Place: Place] = [:]
        /// Per test, by index, where each section only it reaches was reached from.
        var own: [[Place: Place]] = []
        /// The longest path said: its first and last steps, the middle elided.
        static let longest = 8

        /// The steps from a root of test `test` (its own function, or a section every test reaches) to the
        /// section `label` (`member` TAB `section`), each its symbol demangled; nil when it is not reached.
        func path(to label: String, test: Int) -> [String]? {
            let parts = label.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2, let member = members.firstIndex(where: { $0.label == parts[0] }),
                let section = members[member].graph?.sections.first(where: { $0.value.label == parts[1] })?.key
            else { return nil }
            let ownParents = own.indices.contains(test) ? own[test] : [:]
            var place = Place(member: member, section: section)
            var steps = [place]
            var seen: Set<Place> = [place]
            while let next = ownParents[place] ?? shared[place], seen.insert(next).inserted {
                steps.append(next)
                place = next
            }
            var names = steps.reversed().map(name(of:))
            // Where the path starts, and so why it is a root: its section and object.
            if let root = steps.last, let info = members[root.member].graph?.sections[root.section] {
                names[0] += " (\(info.label.split(separator: "@").first ?? "") in \(members[root.member].label))"
            }
            if names.count > Self.longest { names = names.prefix(Self.longest / 2) + ["…"] + names.suffix(Self.longest / 2) }
            return names
        }

        private func name(of place: Place) -> String {
            guard let section = members[place.member].graph?.sections[place.section] else { return "?" }
            if let symbol = section.symbols.first(where: { !$0.hasPrefix("symbolic ") }) ?? section.symbols.first {
                let readable = Demangler.demangle(symbol) ?? symbol
                return readable.count > 80 ? readable.prefix(77) + "..." : readable
            }
            return "\(section.label) in \(members[place.member].label)"
        }
    }

    /// Functions that find a type from a name made at run time, without any pointer to its descriptor.
    static let typeLookupsByName: Set<String> = [
        "$ss11_typeByNameyypXpSgSSF", "swift_getTypeByMangledName", "$s10Foundation17NSClassFromStringyyXlXpSgSSF",
        "NSClassFromString",
    ]

    /// The start of the mangled names of Foundation's `NSKeyedUnarchiver`'s members: it makes instances
    /// of the classes an archive names, found by `NSClassFromString` inside Foundation.
    static let keyedUnarchiver = "$s10Foundation17NSKeyedUnarchiverC"

    /// Which of ``typeLookupsByName`` an object that is not read as a graph (a remote dependency's,
    /// hashed whole) names in its symbol table, or nil: such code may be handed a name of one of the
    /// root package's types and find it. Names are found as the symbol table stores them, between NULs.
    static func typeLookupByName(inObject bytes: [UInt8]) -> String? {
        for name in typeLookupsByName.sorted() + [keyedUnarchiver] {
            let needle = [0] + Array(name.utf8) + (name == keyedUnarchiver ? [] : [0])
            if contains(bytes, needle) { return name }
        }
        return nil
    }

    /// Whether `needle` (two bytes or more) occurs in `haystack`: `memchr` finds each candidate for its second
    /// byte (the first is a NUL, common in an object), then the rest is compared.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count >= 2, haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            var offset = 1
            while offset <= buffer.count - needle.count + 1 {
                guard let hit = memchr(base + offset, Int32(needle[1]), buffer.count - offset) else { return false }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - 1
                if at + needle.count <= buffer.count, memcmp(base + at, needle, needle.count) == 0 { return true }
                offset = at + 2
            }
            return false
        }
    }

    /// Splits ``reachableDigests(_:)`` by test: the sections a test owns (its function, its closures, the
    /// code its testing library's macro made for it; ``TestOwnership`` says which) are roots for that
    /// test only. The roots of every member (metadata, records, plain sections) and every section of the
    /// other entries (a generated runner) are roots for all of them. The test target's own per-symbol
    /// sections that no test owns (a helper, `setUp`) count where reached, as a dependency's do: a helper
    /// that two tests call is in those two keys, not in every test's.
    ///
    /// A test's section is entered from anywhere else only by a relocation in code of a member that is
    /// not `dispatching`: a call or a use that runs. A relocation in data (a class's vtable, a test
    /// record, a method list) and anything in a generated runner (`dispatching`) is a table entry,
    /// followed only when that test runs, and then from the test's own root. A test called from shared
    /// code (a helper that calls it, an XCTest manifest) is shared, as is whatever it reaches.
    ///
    /// Roots are what a runtime finds without a pointer (``Section/testRole``). A type's descriptor, its
    /// metadata and so its vtable count for a test only where the test reaches them: a test can run a
    /// method of a type only on a value of it, and making one takes a pointer to its metadata or an
    /// initializer, which the test's code must reach. A conformance of a type defined here counts with
    /// the type's descriptor, since a cast finds it by that type. Every type counts for every test when
    /// some code may look a type up by a name spelled at run time (``typeLookupsByName``, a mangled name
    /// that spells a type of the closure instead of pointing at it).
    static func testReach(
        _ members: [Member], tests: Int, owner: (_ member: Int, _ section: Int) -> Int?, own: Set<Int>, dispatching: Set<Int>,
        runners: (_ member: Int, _ section: Int) -> [Int] = { _, _ in [] }, typesByNameElsewhere: String? = nil
    ) -> TestReach {
        var definitions: [String: [Place]] = [:]
        var owners: [Place: Int] = [:]
        var owned = Array(repeating: [Place](), count: tests)
        /// The sections of the target's own objects that a testing library runs without a pointer to them
        /// here, and the tests that do.
        var runRoots: Set<Place> = []
        var runBy = Array(repeating: [Place](), count: tests)
        for (index, member) in members.enumerated() {
            guard let graph = member.graph else { continue }
            for definition in graph.definitions {
                definitions[definition.name, default: []].append(Place(member: index, section: definition.section))
            }
            for section in graph.sections.keys {
                let place = Place(member: index, section: section)
                if let test = owner(index, section), test >= 0, test < tests {
                    owners[place] = test
                    owned[test].append(place)
                } else if own.contains(index), graph.sections[section]?.testRole == .reachedOnly {
                    // (A section that is a root anyway stays one for every test.)
                    for test in Set(runners(index, section)) where test >= 0 && test < tests {
                        runRoots.insert(place)
                        runBy[test].append(place)
                    }
                }
            }
        }
        func section(_ place: Place) -> Section? { members[place.member].graph?.sections[place.section] }
        /// A reached place as a key names it: `member` TAB `section`, and its digest.
        func labelled(_ place: Place) -> (label: String, digest: String) {
            (label: members[place.member].label + "\t" + section(place)!.label, digest: section(place)!.digest)
        }
        func places(_ target: Target, from member: Int) -> [Place] {
            switch target {
            case .section(let index): [Place(member: member, section: index)]
            case .symbol(let name): definitions[name] ?? []
            }
        }
        // A conformance waits for its type (a value of it must exist) and for its protocol (some code
        // must ask for it: a cast, a generic call), each where its reference leads only to descriptors
        // defined here (`…Mn`, `…Mp`); a reference elsewhere (another module's type, through `got.`) is no
        // condition. A conformance with no condition is followed from the records, as any root's target.
        struct Gate {
            var conformance: Place
            /// Each condition: any of these places reached.
            var conditions: [[Place]]
        }
        var gates: [Gate] = []
        var waiting: [Place: [(gate: Int, condition: Int)]] = [:]
        var gated: Set<Place> = []
        for (index, member) in members.enumerated() {
            for (number, info) in member.graph?.sections ?? [:] where !info.conformingType.isEmpty || !info.conformedProtocol.isEmpty {
                func condition(_ targets: [Target], _ isDescriptor: (String) -> Bool) -> [Place]? {
                    let found = targets.flatMap { places($0, from: index) }
                    guard !found.isEmpty, found.allSatisfy({ section($0)?.symbols.contains(where: isDescriptor) == true }) else { return nil }
                    return found
                }
                let conditions = [condition(info.conformingType, Self.isTypeDescriptor), condition(info.conformedProtocol, Self.isProtocolDescriptor)]
                    .compactMap { $0 }
                guard !conditions.isEmpty else { continue }
                let conformance = Place(member: index, section: number)
                gated.insert(conformance)
                for (number, places) in conditions.enumerated() {
                    for place in places { waiting[place, default: []].append((gates.count, number)) }
                }
                gates.append(Gate(conformance: conformance, conditions: conditions))
            }
        }
        let typesByName = typesByNameElsewhere ?? Self.typesLookedUpByName(members)
        /// The places a section's relocations lead into, when they may be entered from it.
        func successors(of place: Place) -> [Place] {
            guard let from = section(place) else { return [] }
            if from.testRole == .typeCatalog && typesByName == nil { return [] }
            let dispatches = dispatching.contains(place.member)
            let runs = from.isCode && !dispatches
            var next: [Place] = []
            for target in from.targets {
                for candidate in places(target, from: place.member) where section(candidate) != nil && (runs || owners[candidate] == nil) {
                    // A generated runner's entry for a test (its function, its class) is followed from
                    // that test's roots only.
                    if dispatches && runRoots.contains(candidate) { continue }
                    if from.testRole == .conformanceCatalog && gated.contains(candidate) && typesByName == nil { continue }
                    next.append(candidate)
                }
            }
            return next
        }
        /// Everything reachable from `roots`, leaving out what `known` holds already; `met` holds the
        /// conditions of each gate met so far, and those met on the way are added.
        /// `parent` gets where each place reached was reached from.
        func closure(_ roots: [Place], known: Set<Place>, met: inout [Set<Int>], parent: inout [Place: Place]) -> Set<Place> {
            var reached: Set<Place> = []
            var work: [Place] = []
            func visit(_ place: Place, from: Place?) {
                guard !known.contains(place), reached.insert(place).inserted else { return }
                if let from { parent[place] = from }
                work.append(place)
                for (gate, condition) in waiting[place] ?? [] where met[gate].insert(condition).inserted {
                    // The conformances a cast or a generic call can find once both can happen.
                    if met[gate].count == gates[gate].conditions.count { visit(gates[gate].conformance, from: place) }
                }
            }
            for root in roots { visit(root, from: nil) }
            while let place = work.popLast() {
                for next in successors(of: place) { visit(next, from: place) }
            }
            return reached
        }

        var sharedRoots: [Place] = []
        for (index, member) in members.enumerated() {
            let entry = member.isEntry && !own.contains(index)
            for (number, info) in member.graph?.sections ?? [:] {
                let place = Place(member: index, section: number)
                guard owners[place] == nil, !runRoots.contains(place) else { continue }
                if entry || info.testRole != .reachedOnly { sharedRoots.append(place) }
            }
        }
        var sharedMet = Array(repeating: Set<Int>(), count: gates.count)
        var paths = ReachPaths(members: members)
        let shared = closure(sharedRoots, known: [], met: &sharedMet, parent: &paths.shared)
        var sharedByMember = Array(repeating: [Int](), count: members.count)
        for place in shared { sharedByMember[place.member].append(place.section) }
        let sharedDigests = members.enumerated().map { index, member in (label: member.label, digest: member.digest(of: sharedByMember[index])) }
        paths.own = Array(repeating: [:], count: tests)
        let ownSections = owned.indices.map { test in
            var met = sharedMet
            return closure(owned[test] + runBy[test], known: shared, met: &met, parent: &paths.own[test]).map(labelled)
                .sorted { $0.label < $1.label }
        }
        let own = ownSections.map { sections -> String in
            guard !sections.isEmpty else { return "" }
            var hasher = KeyHasher(name: "test-sections", salt: KeySalt(toolVersion: ""))
            for section in sections { hasher.update(field: section.label, section.digest) }
            return hasher.finalize().hex
        }
        let sharedSections = shared.map(labelled)
        return TestReach(
            shared: sharedDigests, own: own, ownSections: ownSections, typesByName: typesByName, sharedSections: sharedSections, paths: paths)
    }

    /// Whether a symbol names a nominal type's descriptor (`$s3Lib3FooVMn`).
    static func isTypeDescriptor(_ symbol: String) -> Bool { isSwiftMangled(symbol) && symbol.hasSuffix("Mn") }

    /// Whether a symbol names a protocol's descriptor (`$s3Lib5ShapeMp`).
    static func isProtocolDescriptor(_ symbol: String) -> Bool { isSwiftMangled(symbol) && symbol.hasSuffix("Mp") }

    /// Why some code of `members` may find a type by a name made at run time, or nil: it calls one of
    /// ``typeLookupsByName``, or it holds a mangled type name (a `symbolic …` string) that spells a
    /// module of the closure (`3Lib`) instead of pointing at the type's descriptor.
    static func typesLookedUpByName(_ members: [Member]) -> String? {
        var modules: Set<String> = []
        var types: [String] = []
        for member in members {
            for section in member.graph?.sections.values ?? [:].values {
                for symbol in section.symbols where isTypeDescriptor(symbol) {
                    if let module = leadingIdentifier(symbol.dropFirst(2)) { modules.insert(module) }
                    if let name = Demangler.demangle(String(symbol.dropLast(2))) { types.append(name) }
                }
            }
        }
        for member in members {
            for section in member.graph?.sections.values ?? [:].values {
                for target in section.targets {
                    if case .symbol(let name) = target, typeLookupsByName.contains(name) || name.hasPrefix(keyedUnarchiver) {
                        return "\(member.label) calls \(name)"
                    }
                }
                for symbol in section.symbols where symbol.hasPrefix("symbolic ") {
                    // `symbolic _____ySiG 3Lib3FooV`: the name as stored, `_` where a pointer goes, then
                    // what the pointers point at.
                    let stored = symbol.dropFirst("symbolic ".count).prefix { $0 != " " }
                    if spellsType(stored, modules: modules, types: types) {
                        return "\(member.label) spells a type of the closure in the name \(stored)"
                    }
                }
            }
        }
        return nil
    }

    /// Whether a mangled name as stored (`Say3Lib3FooVG`) spells one of `types` (demangled names of the
    /// closure's nominal types) by name. Only a name that holds one of `modules` (`3Lib`) can; such a
    /// name is read with the runtime's demangler, and one it cannot read (a pointer's placeholder in it)
    /// counts as spelling a type.
    static func spellsType(_ stored: Substring, modules: Set<String>, types: [String]) -> Bool {
        guard modules.contains(where: { stored.contains($0) }) else { return false }
        guard let text = Demangler.demangle(stored.hasPrefix("$s") ? String(stored) : "$s" + stored) else { return true }
        return types.contains { type in
            var search = text.startIndex..<text.endIndex
            while let range = text.range(of: type, range: search) {
                search = range.upperBound..<text.endIndex
                // The whole name, not the start of a longer one (`Lib.Foo` in `Lib.FooBar`).
                guard range.upperBound < text.endIndex else { return true }
                let next = text[range.upperBound]
                if next.isLetter || next.isNumber || next == "_" { continue }
                // A context, not the type (`Lib.Foo.Rule`, a protocol nested in it: finding the protocol
                // makes no value of `Foo`), unless it is its metatype (`Lib.Foo.Type`, `.Protocol`). A
                // nested type of the closure is a type of its own, matched whole.
                if next == "." {
                    let member = text[text.index(after: range.upperBound)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    if member != "Type" && member != "Protocol" { continue }
                }
                return true
            }
            return false
        }
    }

    /// `3Lib3FooVMn` → `3Lib`: a mangled identifier, its length first.
    static func leadingIdentifier(_ text: Substring) -> String? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard let length = Int(digits), length > 0 else { return nil }
        let rest = text.dropFirst(digits.count)
        guard rest.count >= length else { return nil }
        return String(digits) + rest.prefix(length)
    }
}
