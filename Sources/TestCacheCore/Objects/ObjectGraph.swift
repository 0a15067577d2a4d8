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
    }

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
                    let name = string(strings, nameOffset)
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

        var sections: [Int: Section] = [:]
        for index in 1..<headers.count {
            let header = headers[index]
            let name = names[index]
            guard !Self.tableTypes.contains(header.type), !ObjectHasher.isDebugInfo(name), name != ".eh_frame" else { continue }
            var hasher = KeyHasher(name: "object-section", salt: KeySalt(toolVersion: ""))
            hasher.update(field: "header", "\(header.type) \(header.flags) \(header.size) \(header.alignment) \(header.entrySize)")
            if let range = contents(header) { bytes[range].withUnsafeBytes { hasher.update(bytes: $0) } }
            var targets: Set<Target> = []
            for relocation in (relocations[index] ?? []).sorted(by: { $0.offset < $1.offset }) {
                guard relocation.symbol < symbols.count else { return nil }
                let symbol = symbols[relocation.symbol]
                // Each part a field of its own, so that no name can pass for another part.
                hasher.update(field: "relocation", "\(relocation.offset) \(relocation.type) \(relocation.addend)")
                if definedIndices.contains(Int(symbol.section)) {
                    targets.insert(.section(Int(symbol.section)))
                    // A weak definition here may lose to another object's at link time: reach that too.
                    if symbol.info >> 4 != 0 && !symbol.name.isEmpty { targets.insert(.symbol(symbol.name)) }
                    // A section symbol (type 3) or a local one: by the section it is in and where.
                    if symbol.info & 0xF != 3 { hasher.update(field: "defined", symbol.name) }
                    hasher.update(field: "in", "\(labels[Int(symbol.section)])+\(symbol.value)")
                } else if symbol.section == 0 && !symbol.name.isEmpty {
                    targets.insert(.symbol(symbol.name))
                    hasher.update(field: "undefined", symbol.name)
                } else {
                    hasher.update(field: "other", symbol.name)
                    hasher.update(field: "at", "\(symbol.section) \(symbol.value)")
                }
            }
            for symbol in defined[index] ?? [] {
                hasher.update(field: "symbol", symbol.name)
                hasher.update(field: "as", "\(symbol.info) \(symbol.other) \(symbol.value) \(symbol.size)")
            }
            // A global, visible definition whose name is not Swift's can be called by that name with no
            // relocation to it: a C function a runtime looks up (`malloc`, `__asan_default_options`),
            // an `@_cdecl` one found with dlsym. It counts always.
            let foundByName = (defined[index] ?? []).contains { symbol in
                symbol.info >> 4 != 0 && symbol.other & 0x3 == 0 && !symbol.name.isEmpty && !Self.isSwiftMangled(symbol.name)
            }
            let reachedOnly = header.flags & 0x2 != 0 && !foundByName && Self.perSymbolPrefixes.contains { name.hasPrefix($0) }
            sections[index] = Section(
                label: labels[index], reachedOnly: reachedOnly, digest: hasher.finalize().hex, targets: Array(targets))
        }
        self.sections = sections
        definitions = symbols.compactMap { symbol in
            // GLOBAL, WEAK, GNU_UNIQUE.
            let binding = symbol.info >> 4
            guard binding == 1 || binding == 2 || binding == 10, !symbol.name.isEmpty, definedIndices.contains(Int(symbol.section))
            else { return nil }
            return (symbol.name, Int(symbol.section))
        }
    }

    /// Whether a symbol name is Swift's mangling (`$s…`; `$S…` and `_T0…` of older compilers), which no
    /// program spells to look a symbol up.
    static func isSwiftMangled(_ name: String) -> Bool {
        name.hasPrefix("$s") || name.hasPrefix("$S") || name.hasPrefix("_T0") || name.hasPrefix("$e")
    }

    /// One object of a test target's closure, for ``reachableDigests(_:)``.
    struct Member: Sendable {
        /// How the object is named in the key (`P1/P1.swift.o`).
        var label: String
        /// The object read as a graph; nil when it could not be, and it counts whole by `wholeDigest`.
        var graph: ObjectGraph?
        var wholeDigest: String
        /// Whether every section counts (the test target's own objects and the runner's): its code is
        /// what runs first.
        var isEntry: Bool
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
        return members.enumerated().map { index, member in
            guard let graph = member.graph else { return (member.label, member.wholeDigest) }
            guard !reached[index].isEmpty || graph.alwaysCounted != nil else { return (member.label, "nothing reached") }
            var hasher = KeyHasher(name: "reached-sections", salt: KeySalt(toolVersion: ""))
            if let always = graph.alwaysCounted { hasher.update(field: "sectionless", always) }
            for section in reached[index].map({ graph.sections[$0]! }).sorted(by: { $0.label < $1.label }) {
                hasher.update(field: section.label, section.digest)
            }
            return (member.label, "reached " + hasher.finalize().hex)
        }
    }
}
