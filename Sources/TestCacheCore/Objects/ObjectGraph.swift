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

    struct Section: Sendable {
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

    /// x86-64 relocations relative to the end of their 4-byte field: PC32, PLT32, GOTPCREL, GOTPCRELX,
    /// REX_GOTPCRELX.
    static let x86PCRelative: Set<UInt32> = [2, 4, 9, 41, 42]
    /// 2^48 bytes (256 TiB): larger than any section or symbol a compiler writes into an object, and small
    /// enough that no sum of two such values, nor their conversion to Int64, can overflow. An object holding
    /// a larger one is not read, and its target is keyed without it (what a damaged object does).
    static let largestSize: UInt64 = 1 << 48

    /// Section name prefixes of per-symbol sections: code and data that something must point at.
    static let perSymbolPrefixes = [
        ".text.", ".rodata.", ".data.", ".bss.", ".tdata.", ".tbss.", ".ldata.", ".lrodata.", ".lbss.",
    ]

    /// Section types that hold no code or data of their own: NULL, SYMTAB, STRTAB, RELA, REL, GROUP,
    /// SYMTAB_SHNDX, LLVM_ADDRSIG.
    static let tableTypes: Set<UInt32> = [0, 2, 3, 4, 9, 17, 18, 0x6FFF_4C03]

    /// Section types whose contents are hashed as they are: PROGBITS, NOTE, NOBITS, INIT_ARRAY,
    /// FINI_ARRAY, PREINIT_ARRAY, LLVM's linker options and dependent libraries, x86-64's unwind
    /// tables. An object with any other (a relocation format this does not read, say) counts whole.
    static let contentTypes: Set<UInt32> = [1, 7, 8, 14, 15, 16, 0x6FFF_4C01, 0x6FFF_4C04, 0x7000_0001]

    /// Reads an ELF64 little-endian relocatable object; nil for anything else or anything out of bounds
    /// (such an object is then hashed whole and counts whole).
    init?(_ bytes: [UInt8]) {
        // ELF, 64-bit, little-endian, relocatable (e_type 1).
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1, bytes[16] == 1, bytes[17] == 0
        else { return nil }
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
            guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return nil }
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
            return value
        }
        // Files with 0xFF00 sections or more keep their counts elsewhere; read whole instead.
        guard let tableOffset = integer(0x28, UInt64.self), let entrySize = integer(0x3A, UInt16.self),
            let count = integer(0x3C, UInt16.self), let namesIndex = integer(0x3E, UInt16.self),
            entrySize >= 64, count > 0, namesIndex < count,
            tableOffset <= UInt64(bytes.count), UInt64(count) * UInt64(entrySize) <= UInt64(bytes.count) - tableOffset
        else { return nil }
        struct Header {
            var name: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64, link: UInt32, info: UInt32
            var alignment: UInt64, entrySize: UInt64
        }
        var headers: [Header] = []
        for index in 0..<Int(count) {
            let base = Int(tableOffset) + index * Int(entrySize)
            guard let name = integer(base, UInt32.self), let type = integer(base + 4, UInt32.self),
                let flags = integer(base + 8, UInt64.self), let offset = integer(base + 24, UInt64.self),
                let size = integer(base + 32, UInt64.self), let link = integer(base + 40, UInt32.self),
                let info = integer(base + 44, UInt32.self), let alignment = integer(base + 48, UInt64.self),
                let entries = integer(base + 56, UInt64.self)
            else { return nil }
            headers.append(Header(
                name: name, type: type, flags: flags, offset: offset, size: size, link: link, info: info,
                alignment: alignment, entrySize: entries))
        }
        // A size no compiler writes (a damaged or hand-made object): sums of them could overflow.
        guard !headers.contains(where: { $0.size >= Self.largestSize }) else { return nil }
        func contents(_ header: Header) -> Range<Int>? {
            if header.type == 8 || header.type == 0 { return 0..<0 }  // NOBITS has a size and no bytes
            guard header.offset <= UInt64(bytes.count), header.size <= UInt64(bytes.count) - header.offset else { return nil }
            return Int(header.offset)..<Int(header.offset + header.size)
        }
        func string(_ table: Range<Int>, _ offset: UInt32) -> String? {
            guard UInt64(offset) < UInt64(table.count) else { return offset == 0 ? "" : nil }
            let start = table.lowerBound + Int(offset)
            let end = bytes[start..<table.upperBound].firstIndex(of: 0) ?? table.upperBound
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        guard let sectionNames = contents(headers[Int(namesIndex)]),
            headers.allSatisfy({ Self.tableTypes.contains($0.type) || Self.contentTypes.contains($0.type) })
        else { return nil }
        var names: [String] = []
        var labels: [String] = []
        var seen: [String: Int] = [:]
        for header in headers {
            guard let name = string(sectionNames, header.name), contents(header) != nil else { return nil }
            names.append(name)
            labels.append("\(name)#\(seen[name, default: 0])")
            seen[name, default: 0] += 1
        }

        // The symbol table: names, binding and type, section, value, size.
        struct Symbol { var name: String, info: UInt8, other: UInt8, section: UInt16, value: UInt64, size: UInt64 }
        var symbols: [Symbol] = []
        if let symtab = headers.firstIndex(where: { $0.type == 2 }) {
            let header = headers[symtab]
            guard Int(header.link) < headers.count, let table = contents(header), let strings = contents(headers[Int(header.link)])
            else { return nil }
            var offset = table.lowerBound
            while offset + 24 <= table.upperBound {
                guard let nameOffset = integer(offset, UInt32.self), let section = integer(offset + 6, UInt16.self),
                    let value = integer(offset + 8, UInt64.self), let size = integer(offset + 16, UInt64.self),
                    let name = string(strings, nameOffset), value < Self.largestSize, size < Self.largestSize
                else { return nil }
                symbols.append(Symbol(name: name, info: bytes[offset + 4], other: bytes[offset + 5], section: section, value: value, size: size))
                offset += 24
            }
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

        // Relocations, by the section they apply to.
        var relocations: [Int: [(offset: UInt64, type: UInt32, symbol: Int, addend: Int64)]] = [:]
        for header in headers where header.type == 4 || header.type == 9 {
            guard let table = contents(header) else { return nil }
            let size = header.type == 4 ? 24 : 16
            var offset = table.lowerBound
            var entries: [(offset: UInt64, type: UInt32, symbol: Int, addend: Int64)] = []
            while offset + size <= table.upperBound {
                guard let at = integer(offset, UInt64.self), let info = integer(offset + 8, UInt64.self) else { return nil }
                let addend = size == 24 ? integer(offset + 16, Int64.self) ?? 0 : 0
                entries.append((at, UInt32(truncatingIfNeeded: info), Int(info >> 32), addend))
                offset += size
            }
            relocations[Int(header.info), default: []] += entries
        }

        // A section that holds two or more sized functions or objects (a plain `.text` with the closures
        // of several functions, `.rodata.str1.1` with every string literal of a file) is read as a part
        // per symbol, so that what one function reaches is not what its neighbours do; the bytes between
        // symbols are parts of their own. A part of code or of merged strings counts only when reached,
        // as a per-symbol section does; a part of any other section counts as its section does.
        struct Part {
            var id = 0
            var start: UInt64
            var end: UInt64
            var label: String
            var symbols: [Symbol]
        }
        var parts: [Int: [Part]] = [:]
        let isX86_64 = integer(18, UInt16.self) == 62
        for index in 1..<headers.count {
            let header = headers[index]
            guard !Self.tableTypes.contains(header.type), !ObjectHasher.isDebugInfo(names[index]), names[index] != ".eh_frame" else { continue }
            let sized = (defined[index] ?? []).filter { ($0.info & 0xF == 1 || $0.info & 0xF == 2) && $0.size > 0 && $0.value < header.size }
            // Code is split only where its intra-section references can be found (``intraSectionReferences(_:from:covered:)``).
            guard sized.count >= 2, header.flags & 0x4 == 0 || isX86_64 else { continue }
            var ranges: [(start: UInt64, end: UInt64, symbols: [Symbol])] = []
            // A class's metadata symbol (`…N`) is its address point inside the full metadata (`…Mf`), but
            // is given the full metadata's size, which runs into the next class's: it ends where `…Mf` does.
            var fullMetadata: [String: (start: UInt64, end: UInt64)] = [:]
            for symbol in sized where Self.isSwiftMangled(symbol.name) && symbol.name.hasSuffix("Mf") {
                fullMetadata[String(symbol.name.dropLast(2))] = (symbol.value, symbol.value + symbol.size)
            }
            for symbol in sized.sorted(by: { ($0.value, $0.name) < ($1.value, $1.name) }) {
                var end = min(symbol.value + symbol.size, header.size)
                if symbol.name.hasSuffix("N"), let full = fullMetadata[String(symbol.name.dropLast())], full.start <= symbol.value, symbol.value < full.end {
                    end = min(end, full.end)
                }
                if let last = ranges.last, symbol.value < last.end {
                    ranges[ranges.count - 1].end = max(last.end, end)
                    ranges[ranges.count - 1].symbols.append(symbol)
                } else {
                    ranges.append((symbol.value, end, [symbol]))
                }
            }
            var list: [Part] = []
            var used: [String: Int] = [:]
            func label(_ name: String) -> String {
                used[name, default: 0] += 1
                return labels[index] + "@" + name + (used[name]! > 1 ? "#\(used[name]! - 1)" : "")
            }
            func gap(_ start: UInt64, _ end: UInt64, after previous: String) {
                guard start < end else { return }
                list.append(Part(start: start, end: end, label: label("after " + previous), symbols: []))
            }
            var cursor: UInt64 = 0
            var previous = "start"
            for range in ranges {
                gap(cursor, range.start, after: previous)
                let name = range.symbols[0].name.isEmpty ? "+\(range.start)" : range.symbols[0].name
                list.append(Part(start: range.start, end: range.end, label: label(name), symbols: range.symbols))
                cursor = range.end
                previous = name
            }
            gap(cursor, header.size, after: previous)
            for number in list.indices { list[number].id = (number + 1) << 16 | index }
            parts[index] = list
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
            guard !Self.tableTypes.contains(header.type), !ObjectHasher.isDebugInfo(name), name != ".eh_frame" else { continue }
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
                for reference in intra {
                    for id in partIDs(index, Int64(reference.target), Int64(reference.target)) where id != part.id { targets.insert(.section(id)) }
                }
                // Code without a symbol after a function can only be run by falling into it.
                if code, let next = parts[index]?.first(where: { $0.start == part.end && $0.symbols.isEmpty }) {
                    targets.insert(.section(next.id))
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

    /// A reference an x86-64 instruction makes within its section, without a relocation.
    struct IntraReference {
        /// The bytes hashed as the reference instead of as they are: a call or jump whole (the assembler
        /// picks a short or a long form by distance), a RIP-relative operand's displacement.
        var replaced: Range<Int>
        /// `call`, `jmp`, `jcc` and its condition, or `rip`.
        var kind: String
        /// Where it points, as an offset in the section.
        var target: Int
    }

    /// The references an x86-64 instruction in `range` of a code section (`code`, indexed from 0) may
    /// make to elsewhere in the section without a relocation. Read at every byte (not only where
    /// instructions start, which would take a decoder), as a call or jump with a 32-bit or 8-bit
    /// displacement, a conditional jump, or a RIP-relative operand ending 0 to 4 bytes after its
    /// displacement. Reading too much only adds references; bytes a relocation fills (`covered`) are the
    /// linker's, not the assembler's.
    static func intraSectionReferences(_ code: ArraySlice<UInt8>, from range: Range<Int>, covered: Set<Int>) -> [IntraReference] {
        let base = code.startIndex
        let size = code.count
        var references: [IntraReference] = []
        func displacement32(_ at: Int) -> Int? {
            guard at + 4 <= size, !covered.contains(at) else { return nil }
            let value = UInt32(code[base + at]) | UInt32(code[base + at + 1]) << 8 | UInt32(code[base + at + 2]) << 16
                | UInt32(code[base + at + 3]) << 24
            return Int(Int32(bitPattern: value))
        }
        func add(_ replaced: Range<Int>, _ kind: String, _ target: Int) {
            if target >= 0 && target < size && !range.contains(target) { references.append(IntraReference(replaced: replaced, kind: kind, target: target)) }
        }
        for at in range where at < size {
            let byte = code[base + at]
            // call/jmp rel32; jcc rel32 (0F 80…8F); jmp/jcc rel8 (EB, 70…7F).
            if byte == 0xE8, let offset = displacement32(at + 1) { add(at..<(at + 5), "call", at + 5 + offset) }
            if byte == 0xE9, let offset = displacement32(at + 1) { add(at..<(at + 5), "jmp", at + 5 + offset) }
            if byte == 0x0F, at + 1 < size, code[base + at + 1] & 0xF0 == 0x80, let offset = displacement32(at + 2) {
                add(at..<(at + 6), "jcc\(code[base + at + 1] & 0xF)", at + 6 + offset)
            }
            if byte == 0xEB, at + 1 < size { add(at..<(at + 2), "jmp", at + 2 + Int(Int8(bitPattern: code[base + at + 1]))) }
            if byte & 0xF0 == 0x70, at + 1 < size { add(at..<(at + 2), "jcc\(byte & 0xF)", at + 2 + Int(Int8(bitPattern: code[base + at + 1]))) }
            // A ModRM byte of mod 00, r/m 101: a RIP-relative operand, its displacement next, and up to
            // 4 bytes of immediate after it.
            if byte & 0xC7 == 0x05, let offset = displacement32(at + 1) {
                for extra in 0...4 { add((at + 1)..<(at + 5), "rip", at + 5 + extra + offset) }
            }
        }
        return references
    }

    /// Whether x86-64 code is only padding between functions: one-byte and multi-byte NOPs, `int3`.
    static func isPadding(_ code: ArraySlice<UInt8>) -> Bool {
        var index = code.startIndex
        while index < code.endIndex {
            var at = index
            if code[at] == 0x90 || code[at] == 0xCC {
                index += 1
                continue
            }
            // Operand-size prefixes and a CS segment prefix, then 0F 1F /0 with its ModRM, SIB and
            // displacement as the ModRM asks: the multi-byte NOP.
            while at < code.endIndex && (code[at] == 0x66 || code[at] == 0x2E) { at += 1 }
            if at < code.endIndex && code[at] == 0x90 && at > index {
                index = at + 1
                continue
            }
            guard at + 2 < code.endIndex, code[at] == 0x0F, code[at + 1] == 0x1F else { return false }
            let modrm = code[at + 2]
            guard modrm & 0x38 == 0 else { return false }
            var length = 3
            let mod = modrm >> 6
            if mod != 3 && modrm & 7 == 4 { length += 1 }  // SIB
            if mod == 1 { length += 1 }
            if mod == 2 { length += 4 }
            guard at + length <= code.endIndex else { return false }
            index = at + length
        }
        return true
    }

    /// Whether a symbol name is Swift's mangling (`$s…`; `$S…` and `_T0…` of older compilers), which no
    /// program spells to look a symbol up.
    static func isSwiftMangled(_ name: String) -> Bool {
        name.hasPrefix("$s") || name.hasPrefix("$S") || name.hasPrefix("_T0") || name.hasPrefix("$e")
    }

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
