import TestCacheStore

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
    static func testReach(
        _ members: [Member], tests: Int, owner: (_ member: Int, _ section: Int) -> Int?, own: Set<Int>, dispatching: Set<Int>
    ) -> TestReach {
        var definitions: [String: [Place]] = [:]
        var owners: [Place: Int] = [:]
        var owned = Array(repeating: [Place](), count: tests)
        for (index, member) in members.enumerated() {
            guard let graph = member.graph else { continue }
            for definition in graph.definitions {
                definitions[definition.name, default: []].append(Place(member: index, section: definition.section))
            }
            for section in graph.sections.keys {
                if let test = owner(index, section), test >= 0, test < tests {
                    owners[Place(member: index, section: section)] = test
                    owned[test].append(Place(member: index, section: section))
                }
            }
        }
        func section(_ place: Place) -> Section? { members[place.member].graph?.sections[place.section] }
        /// The places a section's relocations lead into, when they may be entered from it.
        func successors(of place: Place) -> [Place] {
            guard let from = section(place) else { return [] }
            let runs = from.isCode && !dispatching.contains(place.member)
            var next: [Place] = []
            for target in from.targets {
                let places: [Place] =
                    switch target {
                    case .section(let index): [Place(member: place.member, section: index)]
                    case .symbol(let name): definitions[name] ?? []
                    }
                for candidate in places where section(candidate) != nil && (runs || owners[candidate] == nil) {
                    next.append(candidate)
                }
            }
            return next
        }
        /// Everything reachable from `roots`, leaving out what `known` holds already.
        func closure(_ roots: [Place], known: Set<Place>) -> Set<Place> {
            var reached: Set<Place> = []
            var work: [Place] = []
            for root in roots where !known.contains(root) && reached.insert(root).inserted { work.append(root) }
            while let place = work.popLast() {
                for next in successors(of: place) where !known.contains(next) && reached.insert(next).inserted {
                    work.append(next)
                }
            }
            return reached
        }

        var sharedRoots: [Place] = []
        for (index, member) in members.enumerated() {
            let entry = member.isEntry && !own.contains(index)
            for (number, info) in member.graph?.sections ?? [:] where entry || !info.reachedOnly {
                let place = Place(member: index, section: number)
                if owners[place] == nil { sharedRoots.append(place) }
            }
        }
        let shared = closure(sharedRoots, known: [])
        var sharedByMember = Array(repeating: [Int](), count: members.count)
        for place in shared { sharedByMember[place.member].append(place.section) }
        let sharedDigests = members.enumerated().map { index, member in (label: member.label, digest: member.digest(of: sharedByMember[index])) }
        let own = owned.map { roots -> String in
            let extra = closure(roots, known: shared)
            guard !extra.isEmpty else { return "" }
            let labelled = extra.map { place in (members[place.member].label + "/" + section(place)!.label, section(place)!.digest) }
            var hasher = KeyHasher(name: "test-sections", salt: KeySalt(toolVersion: ""))
            for (label, digest) in labelled.sorted(by: { $0.0 < $1.0 }) { hasher.update(field: label, digest) }
            return hasher.finalize().hex
        }
        return TestReach(shared: sharedDigests, own: own)
    }
}
