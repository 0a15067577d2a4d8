import TestCacheStore

/// A relocatable ELF object read as a graph: each section that can run, with a digest of what it holds,
/// and the sections or symbol names its relocations point to. What content IDs hash to leave out the
/// parts of a dependency that a test target's code cannot reach, as Go's linker leaves them out of a
/// test binary.
///
/// swiftc (and clang with `-ffunction-sections -fdata-sections`) puts each function and each global in a
/// section of its own (`.text.$s2P16p1NameSSyF`, `.rodata.$s2P11xSivp`), so a section is the grain. Sections a loader or
/// a runtime reaches without a relocation (Swift's `swift5_*` metadata: types, conformances, Swift
/// Testing's test records; `.init_array`; a plain `.text` or `.data` that many things share) are roots
/// that always count, and so is a section defining a global, visible symbol whose name is not Swift's
/// (a C function a runtime or `dlsym` finds by name). Only the other per-symbol sections (named
/// `.text.…`, `.rodata.…`, `.data.…`, `.bss.…` and the like) count when reached. Global symbols in no
/// section (COMMON, ABS) count always.
///
/// A section that holds several sized symbols (a plain `.text` with a file's closures and private
/// functions, merged string literals) is read as a part per symbol, found through relocations and, in
/// x86-64 code, through the calls the assembler resolved without one (``intraSectionReferences(_:from:covered:)``).
///
/// Left out of every digest: debug info, `.eh_frame` (unwind tables, which point at every function and
/// change only with the code they describe), and the symbol, string, group and address-significance
/// tables, which hold indices that move when anything is added. A relocation is hashed by what it names
/// (a symbol's name, a section's name), never by index.
struct ObjectGraph: Sendable {
    /// Where a relocation points.
    enum Target: Hashable, Sendable {
        /// A section of this object, by index.
        case section(Int)
        /// A symbol this object does not define: some other object's section that defines it.
        case symbol(String)
    }

    struct Section: Sendable, Equatable {
        /// The section's name with its ordinal among sections of that name in the object (`.text#0`).
        var label: String
        /// Whether it counts in a dependency only when reached (a per-symbol section).
        var reachedOnly: Bool
        /// Its type, flags, size, alignment and entry size (not its position, link or info, which are
        /// indices), its contents, its relocations by name and the symbols it defines.
        var digest: String
        /// What its relocations point to.
        var targets: [Target]
        /// Whether it holds code (SHF_EXECINSTR): a relocation from code is a call or a use that runs;
        /// one from data is a table entry (a vtable slot, a test record) that runs only when dispatched.
        var isCode = false
        /// The names of the symbols it defines, for ``TestOwnership``.
        var symbols: [String] = []
        /// How results per test read it (``ObjectGraph/testReach(_:tests:owner:own:dispatching:)``).
        var testRole: TestRole = .root
        /// For a protocol conformance descriptor (`…Mc`): where its type reference points (the
        /// relocation at offset 4, the conforming type's descriptor). Empty for any other section.
        var conformingType: [Target] = []
        /// For a protocol conformance descriptor: where its protocol reference points (the relocation at
        /// offset 0, the protocol's descriptor).
        var conformedProtocol: [Target] = []
    }

    /// How a section counts when the tests of one target are keyed apart. Finer than ``Section/reachedOnly``:
    /// only what a runtime finds without a pointer is a root, and a type's code counts only for the tests
    /// that can hold a value of that type.
    enum TestRole: Sendable {
        /// Counts for every test, and so does what it points at: `.init_array`, Swift Testing's suite
        /// records, a C name a runtime can look up.
        case root
        /// Counts only where a relocation from what counts leads to it: a per-symbol section, a plain
        /// `.text`, `.rodata` or `.data` (nothing finds them but a relocation), and the reflection
        /// records (`swift5_fieldmd`, `swift5_typeref`…), which the runtime reads only from a type it
        /// already holds.
        case reachedOnly
        /// The lists of type and protocol descriptors the runtime searches by name
        /// (`swift5_type_metadata`, `swift5_protocols`): it counts for every test (a type added or
        /// removed), but what it lists counts only where reached, unless some code can look a type up
        /// by a name spelled at run time.
        case typeCatalog
        /// The conformance records the runtime searches for `as?`, `is` and generic calls
        /// (`swift5_protocol_conformances`): it counts for every test, and each conformance counts
        /// where its type's descriptor and its protocol's are reached, when they are defined here: a
        /// cast or a call finds a conformance only for a value whose type was made, and only when some
        /// code asks for that protocol.
        case conformanceCatalog
    }

    /// Plain sections: no runtime looks them up by name, so only a relocation leads into them.
    static let plainSections: Set<String> = [".text", ".rodata", ".data", ".bss", ".tdata", ".tbss", ".ldata", ".lrodata", ".lbss"]

    /// Swift's reflection records: read by `Mirror`, `String(describing:)` and debuggers from a type's
    /// descriptor, which points at them, never searched by name in the running process.
    static let reflectionSections: Set<String> = [
        "swift5_fieldmd", "swift5_typeref", "swift5_reflstr", "swift5_assocty", "swift5_builtin", "swift5_capture", "swift5_mpenum",
    ]

    /// Swift's lists of type and protocol descriptors, searched when a type or a protocol is looked up
    /// by name.
    static let typeCatalogSections: Set<String> = ["swift5_type_metadata", "swift5_types", "swift5_types2", "swift5_protocols"]

    /// The sections that are part of what can run, by section index.
    var sections: [Int: Section]
    /// Global and weak symbols defined here, and their sections.
    var definitions: [(name: String, section: Int)]
    /// The digest of the global symbols in no section (COMMON, ABS), which count always; nil without any.
    var alwaysCounted: String?
    /// Section name prefixes of per-symbol sections: code and data that something must point at.
    static let perSymbolPrefixes = [
        ".text.", ".rodata.", ".data.", ".bss.", ".tdata.", ".tbss.", ".ldata.", ".lrodata.", ".lbss.",
    ]
    /// x86-64 relocations relative to the end of their 4-byte field: PC32, PLT32, GOTPCREL, GOTPCRELX,
    /// REX_GOTPCRELX.
    static let x86PCRelative: Set<UInt32> = [2, 4, 9, 41, 42]
    /// x86-64 relocations that fill 8 bytes: 64, PC64, GOTOFF64, GOTPC64; the others fill 4 or fewer.
    static let x86Wide: Set<UInt32> = [1, 24, 25, 26]

    /// Reads an ELF64 little-endian relocatable object; nil for anything else or anything out of bounds
    /// (such an object is then hashed whole and counts whole).
    init?(_ bytes: [UInt8]) {
        guard let elf = ELFObject(bytes),
            elf.headers.allSatisfy({ ELFObject.tableTypes.contains($0.type) || ELFObject.contentTypes.contains($0.type) })
        else { return nil }
        typealias Symbol = ELFObject.Symbol
        let (headers, names, symbols, relocations) = (elf.headers, elf.names, elf.symbols, elf.relocations)
        let count = headers.count
        func contents(_ header: ELFObject.Header) -> Range<Int>? { elf.contents(header) }
        func integer<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T? { elf.integer(offset, type) }
        var labels: [String] = []
        var seen: [String: Int] = [:]
        for name in names {
            labels.append("\(name)#\(seen[name, default: 0])")
            seen[name, default: 0] += 1
        }
        // Extended section indices (SHN_XINDEX) would need SYMTAB_SHNDX: read whole instead.
        guard !symbols.contains(where: { $0.section == 0xFFFF }) else { return nil }
        let definedIndices = 1..<min(Int(count), 0xFF00)
        // Global symbols in no section (COMMON: a C tentative definition under -fcommon; ABS: an
        // absolute value) count always, by name, size and value.
        var always = KeyHasher(name: "object-sectionless", salt: KeySalt(toolVersion: ""))
        var sectionless = 0
        for symbol in symbols where (symbol.section == 0xFFF2 || symbol.section == 0xFFF1) && symbol.info >> 4 != 0 {
            always.update(field: "name", symbol.name)
            always.update(field: "symbol", "\(symbol.section) \(symbol.info) \(symbol.size) \(symbol.value)")
            sectionless += 1
        }
        alwaysCounted = sectionless == 0 ? nil : always.finalize().hex
        // The symbols each section defines, by section index, in symbol-table order.
        var defined: [Int: [Symbol]] = [:]
        for symbol in symbols where definedIndices.contains(Int(symbol.section)) && symbol.info & 0xF != 3 {
            defined[Int(symbol.section), default: []].append(symbol)
        }
        // One of several sections of one name (a Swift Testing record in `swift5_tests`, a type's
        // `swift5_fieldmd`) is named by the one symbol it defines, when no other section is: its ordinal
        // moves whenever one is added before it, its symbol does not.
        var soleSymbol: [Int: String] = [:]
        for (index, list) in defined where seen[names[index], default: 0] > 1 {
            let named = Set(list.map(\.name).filter { !$0.isEmpty })
            if named.count == 1 { soleSymbol[index] = named.first! }
        }
        var symbolUses: [String: Int] = [:]
        for (index, symbol) in soleSymbol { symbolUses[names[index] + "@" + symbol, default: 0] += 1 }
        for (index, symbol) in soleSymbol where symbolUses[names[index] + "@" + symbol] == 1 {
            labels[index] = names[index] + "@" + symbol
        }

        // A section that holds several things is read as a part per thing (``parts(ofSection:in:label:defined:isX86_64:)``).
        // A part of code or of merged strings counts only when reached, as a per-symbol section does; a
        // part of any other section counts as its section does.
        var parts: [Int: [Part]] = [:]
        let isX86_64 = integer(18, UInt16.self) == 62
        for index in 1..<headers.count {
            guard !ELFObject.tableTypes.contains(headers[index].type), !ObjectHasher.isDebugInfo(names[index]), names[index] != ".eh_frame" else { continue }
            parts[index] = Self.parts(ofSection: index, in: elf, label: labels[index], defined: defined[index] ?? [], isX86_64: isX86_64)
        }
        /// The parts of `section` that bytes `from...to` of it fall in: the section itself when whole.
        func partIDs(_ section: Int, _ from: Int64, _ to: Int64) -> [Int] {
            guard let list = parts[section] else { return [section] }
            return list.filter { Int64($0.start) <= to && Int64($0.end) > from }.map(\.id)
        }
        /// The part a relocation's target lies in, and where in it: a PC-relative reference's addend is
        /// the target less the 4 to 8 bytes to the end of its instruction, so the part holding the
        /// addend plus 4 (else the addend) names it; every part the window meets is reached.
        func place(_ section: Int, _ offset: Int64) -> (label: String, offset: Int64) {
            guard let list = parts[section] else { return (labels[section], offset) }
            let part = list.first { Int64($0.start) <= offset + 4 && Int64($0.end) > offset + 4 }
                ?? list.first { Int64($0.start) <= offset && Int64($0.end) > offset }
            guard let part else { return (labels[section] + "@none", offset) }
            return (part.label, offset - Int64(part.start))
        }

        var sections: [Int: Section] = [:]
        for index in 1..<headers.count {
            let header = headers[index]
            let name = names[index]
            guard !ELFObject.tableTypes.contains(header.type), !ObjectHasher.isDebugInfo(name), name != ".eh_frame" else { continue }
            let whole = Part(id: index, start: 0, end: header.size, label: labels[index], symbols: defined[index] ?? [])
            let split = parts[index] != nil
            for part in parts[index] ?? [whole] {
                var hasher = KeyHasher(name: "object-section", salt: KeySalt(toolVersion: ""))
                let size = split ? part.end - part.start : header.size
                // A call or a reference between functions of one section needs no relocation: the
                // assembler resolves it. It goes to a function's entry (a call, a tail call, a function's
                // address taken), so every other part such an instruction could point at the start of a
                // symbol in is reached; a local jump stays in its function. It is hashed as the kind of
                // reference and the part it leads to, not as a distance, nor as the short or long form the
                // assembler picked by that distance: both move when code between them grows.
                var intra: [IntraReference] = []
                let own = (relocations[index] ?? []).filter { !split || ($0.offset >= part.start && $0.offset < part.end) }
                let code = split && header.flags & 0x4 != 0
                if code, let range = contents(header) {
                    let covered = Set(own.flatMap { relocation in (relocation.offset..<(relocation.offset + 4)).map { Int($0) } })
                    let entries = Set((defined[index] ?? []).map { Int($0.value) })
                    intra = Self.intraSectionReferences(bytes[range], from: Int(part.start)..<Int(part.end), covered: covered)
                        .filter { entries.contains($0.target) }
                }
                // Bytes between functions that are only padding run nothing: they count as padding.
                var padding = false
                if code, part.symbols.isEmpty, let range = contents(header), UInt64(range.count) >= part.end {
                    padding = Self.isPadding(bytes[(range.lowerBound + Int(part.start))..<(range.lowerBound + Int(part.end))])
                }
                if padding {
                    sections[part.id] = Section(label: part.label, reachedOnly: true, digest: "padding", targets: [], isCode: true, testRole: .reachedOnly)
                    continue
                }
                // A part of code is hashed without its size: its bytes say it, but for the jumps' forms.
                hasher.update(field: "header", "\(header.type) \(header.flags) \(code ? 0 : size) \(header.alignment) \(header.entrySize)")
                if let range = contents(header), !range.isEmpty {
                    let start = Int(part.start)
                    let kept = Array(bytes[(range.lowerBound + start)..<(range.lowerBound + Int(part.end))])
                    var replaced = Array(repeating: false, count: kept.count)
                    var tokens: [Int: [String]] = [:]
                    for reference in intra {
                        let (label, offset) = place(index, Int64(reference.target))
                        tokens[max(reference.replaced.lowerBound - start, 0), default: []].append("\(reference.kind) \(label)+\(offset)")
                        for at in reference.replaced where at - start >= 0 && at - start < kept.count { replaced[at - start] = true }
                    }
                    var stream: [UInt8] = []
                    stream.reserveCapacity(kept.count)
                    for (offset, byte) in kept.enumerated() {
                        for token in tokens[offset] ?? [] { stream += [0xFF, 0x00] + Array(token.utf8) + [0x00] }
                        if !replaced[offset] { stream.append(byte) }
                    }
                    stream.withUnsafeBytes { hasher.update(bytes: $0) }
                }
                var targets: Set<Target> = []
                var conformingType: Set<Target> = []
                var conformedProtocol: Set<Target> = []
                // A protocol conformance descriptor starts at its symbol: the protocol at offset 0, the
                // conforming type at 4, the witness table at 8.
                let isConformance = part.symbols.contains { $0.value == part.start && Self.isSwiftMangled($0.name) && $0.name.hasSuffix("Mc") }
                for relocation in own.sorted(by: { $0.offset < $1.offset }) {
                    guard relocation.symbol < symbols.count else { return nil }
                    let symbol = symbols[relocation.symbol]
                    let at = relocation.offset - part.start
                    var these: Set<Target> = []
                    defer {
                        targets.formUnion(these)
                        if isConformance && at == 4 { conformingType = these }
                        if isConformance && at == 0 { conformedProtocol = these }
                    }
                    if definedIndices.contains(Int(symbol.section)) {
                        let section = Int(symbol.section)
                        let target = Int64(bitPattern: symbol.value) &+ relocation.addend
                        // From x86-64 code, a PC-relative operand's addend falls 4 to 8 bytes short of its
                        // target (the rest of its instruction); any other reference from code is read from
                        // its addend to 8 bytes on. From data, a relative pointer's addend is the target
                        // itself, its low bits a tag at most. A named symbol less at most those bytes is that
                        // symbol, whose own part is reached below.
                        let fromCode = header.flags & 0x4 != 0
                        let window: ClosedRange<Int64> =
                            !fromCode ? 0...3 : isX86_64 && Self.x86PCRelative.contains(relocation.type) ? 4...8 : 0...8
                        let named = symbol.info & 0xF != 3
                        if !(named && relocation.addend <= 0 && relocation.addend >= -window.upperBound) {
                            for id in partIDs(section, target &+ window.lowerBound, target &+ window.upperBound) { these.insert(.section(id)) }
                        }
                        // A weak definition here may lose to another object's at link time: reach that too.
                        if symbol.info >> 4 != 0 && !symbol.name.isEmpty { these.insert(.symbol(symbol.name)) }
                        if symbol.info & 0xF != 3 {
                            // A named symbol: by its name and where it is in its part.
                            for id in partIDs(section, Int64(symbol.value), Int64(symbol.value)) { these.insert(.section(id)) }
                            let (label, offset) = place(section, Int64(symbol.value) - 4)
                            hasher.update(field: "relocation", "\(at) \(relocation.type) \(relocation.addend)")
                            hasher.update(field: "defined", symbol.name)
                            hasher.update(field: "in", "\(label)+\(offset + 4)")
                        } else {
                            // A section symbol: by the part the target is in and where in it, so that a
                            // neighbour growing does not change this reference.
                            let (label, offset) = place(section, target)
                            hasher.update(field: "relocation", "\(at) \(relocation.type) \(offset)")
                            hasher.update(field: "in", label)
                        }
                    } else if symbol.section == 0 && !symbol.name.isEmpty {
                        // Each part a field of its own, so that no name can pass for another part.
                        hasher.update(field: "relocation", "\(at) \(relocation.type) \(relocation.addend)")
                        these.insert(.symbol(symbol.name))
                        hasher.update(field: "undefined", symbol.name)
                    } else {
                        hasher.update(field: "relocation", "\(at) \(relocation.type) \(relocation.addend)")
                        hasher.update(field: "other", symbol.name)
                        hasher.update(field: "at", "\(symbol.section) \(symbol.value)")
                    }
                }
                // A conformance beside its protocol's or its type's descriptor in one section (a local
                // type's, in a plain `.rodata`) points at it with no relocation: the assembler resolved it.
                if isConformance, split, let range = contents(header) {
                    for (field, found) in [(UInt64(0), conformedProtocol.isEmpty), (4, conformingType.isEmpty)] where found {
                        let at = part.start + field
                        guard !own.contains(where: { $0.offset < at + 4 && $0.offset + 4 > at }), Int(at) + 4 <= range.count,
                            let value = integer(range.lowerBound + Int(at), Int32.self)
                        else { continue }
                        let places = Set(partIDs(index, Int64(at) + Int64(value), Int64(at) + Int64(value)).map(Target.section))
                        targets.formUnion(places)
                        if field == 0 { conformedProtocol = places } else { conformingType = places }
                    }
                }
                for reference in intra {
                    for id in partIDs(index, Int64(reference.target), Int64(reference.target)) where id != part.id { targets.insert(.section(id)) }
                }
                // Code without a symbol after a function can only be run by falling into it.
                if code, let next = parts[index]?.first(where: { $0.start == part.end && $0.symbols.isEmpty }) {
                    targets.insert(.section(next.id))
                }
                if split, !code, let list = parts[index], let number = list.firstIndex(where: { $0.id == part.id }) {
                    // Bytes no symbol covers may be one object with the unsized bytes after them: a jump
                    // table's with what follows it, the bytes before a table's with the table.
                    if part.symbols.isEmpty, number + 1 < list.count, list[number + 1].symbols.isEmpty, part.isJumpTable || list[number + 1].isJumpTable {
                        targets.insert(.section(list[number + 1].id))
                    }
                    let tables = Set(list.filter(\.isJumpTable).map(\.id))
                    // A section split only to cut its tables out is otherwise read whole: each part of it
                    // reaches the others, as the section did.
                    if !tables.isEmpty, !part.isJumpTable, list.reduce(0, { $0 + $1.symbols.count }) < 2 {
                        for other in list where other.id != part.id && !other.isJumpTable { targets.insert(.section(other.id)) }
                    }
                    // A word that may point into a table without a relocation reaches it
                    // (``relativeNeighbours(of:in:contents:alignment:covered:)``); mergeable data holds no pointers.
                    if !tables.isEmpty, header.flags & 0x10 == 0, let range = contents(header), !range.isEmpty {
                        let covered = Set(own.flatMap { $0.offset..<($0.offset + (Self.x86Wide.contains($0.type) ? 8 : 4)) })
                        let neighbours = Self.relativeNeighbours(
                            of: part, in: list, contents: bytes[range], alignment: header.alignment, covered: covered)
                        for id in neighbours where tables.contains(id) { targets.insert(.section(id)) }
                    }
                }
                for symbol in part.symbols {
                    hasher.update(field: "symbol", symbol.name)
                    hasher.update(field: "as", "\(symbol.info) \(symbol.other) \(symbol.value - part.start) \(code ? 0 : symbol.size)")
                }
                // A global, visible definition whose name is not Swift's can be called by that name with no
                // relocation to it: a C function a runtime looks up (`malloc`, `__asan_default_options`),
                // an `@_cdecl` one found with dlsym. It counts always.
                let foundByName = part.symbols.contains { symbol in
                    symbol.info >> 4 != 0 && symbol.other & 0x3 == 0 && !symbol.name.isEmpty && !Self.isSwiftMangled(symbol.name)
                }
                let perSymbol = header.flags & 0x2 != 0 && Self.perSymbolPrefixes.contains { name.hasPrefix($0) }
                // A symbol's part of code or of merged strings runs or is read only through a pointer to it;
                // other parts (bytes no symbol covers, a plain data section's records) count as their
                // section does.
                let pointedAt = split && header.flags & 0x2 != 0 && (header.flags & 0x4 != 0 || header.flags & 0x30 == 0x30)
                let reachedOnly = !foundByName && (perSymbol || pointedAt)
                let testRole: TestRole =
                    if foundByName { .root }
                    else if reachedOnly || Self.plainSections.contains(name) || Self.reflectionSections.contains(name) { .reachedOnly }
                    else if Self.typeCatalogSections.contains(name) { .typeCatalog }
                    else if name == "swift5_protocol_conformances" { .conformanceCatalog }
                    else { .root }
                sections[part.id] = Section(
                    label: part.label, reachedOnly: reachedOnly, digest: hasher.finalize().hex, targets: Array(targets),
                    isCode: header.flags & 0x4 != 0, symbols: part.symbols.map(\.name).filter { !$0.isEmpty },
                    testRole: testRole, conformingType: Array(conformingType), conformedProtocol: Array(conformedProtocol))
            }
        }
        self.sections = sections
        definitions = symbols.compactMap { symbol in
            // GLOBAL, WEAK, GNU_UNIQUE.
            let binding = symbol.info >> 4
            guard binding == 1 || binding == 2 || binding == 10, !symbol.name.isEmpty, definedIndices.contains(Int(symbol.section))
            else { return nil }
            return (symbol.name, partIDs(Int(symbol.section), Int64(symbol.value), Int64(symbol.value)).first ?? Int(symbol.section))
        }
    }
}
