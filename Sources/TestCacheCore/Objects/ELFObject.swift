/// An ELF64 little-endian relocatable object's tables, every offset and size checked against the file:
/// its section headers and their names, its symbol table and its relocations. Nil for anything else, or
/// anything out of bounds or too large to add up (``largestSize``): such an object is hashed
/// whole and counts whole.
struct ELFObject {
    struct Header {
        var name: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64, link: UInt32, info: UInt32
        var alignment: UInt64, entrySize: UInt64
    }
    /// A symbol: its name, binding and type, section, value, size.
    struct Symbol { var name: String, info: UInt8, other: UInt8, section: UInt16, value: UInt64, size: UInt64 }
    typealias Relocation = (offset: UInt64, type: UInt32, symbol: Int, addend: Int64)

    /// 2^48 bytes (256 TiB): larger than any section or symbol a compiler writes into an object, and small
    /// enough that no sum of two such values, nor their conversion to Int64, can overflow. An object holding
    /// a larger one is not read, and its target is keyed without it (what a damaged object does).
    static let largestSize: UInt64 = 1 << 48

    /// Section types that hold no code or data of their own: NULL, SYMTAB, STRTAB, RELA, REL, GROUP,
    /// SYMTAB_SHNDX, LLVM_ADDRSIG.
    static let tableTypes: Set<UInt32> = [0, 2, 3, 4, 9, 17, 18, 0x6FFF_4C03]

    /// Section types whose contents are hashed as they are: PROGBITS, NOTE, NOBITS, INIT_ARRAY,
    /// FINI_ARRAY, PREINIT_ARRAY, LLVM's linker options and dependent libraries, x86-64's unwind
    /// tables. An object with any other (a relocation format this does not read, say) counts whole.
    static let contentTypes: Set<UInt32> = [1, 7, 8, 14, 15, 16, 0x6FFF_4C01, 0x6FFF_4C04, 0x7000_0001]

    let bytes: [UInt8]
    let headers: [Header]
    /// Each section's name, by index.
    let names: [String]
    let symbols: [Symbol]
    /// Relocations, by the index of the section they apply to.
    let relocations: [Int: [Relocation]]

    /// A little-endian integer at `offset`, or nil past the end.
    func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return nil }
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
        return value
    }

    /// Where a section's bytes are in the file; empty for one that has none, nil past the end.
    func contents(_ header: Header) -> Range<Int>? {
        if header.type == 8 || header.type == 0 { return 0..<0 }  // NOBITS has a size and no bytes
        guard header.offset <= UInt64(bytes.count), header.size <= UInt64(bytes.count) - header.offset else { return nil }
        return Int(header.offset)..<Int(header.offset + header.size)
    }

    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        // ELF, 64-bit, little-endian, relocatable (e_type 1).
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1, bytes[16] == 1, bytes[17] == 0
        else { return nil }
        func integer<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T? {
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
        guard let sectionNames = contents(headers[Int(namesIndex)]) else { return nil }
        var names: [String] = []
        for header in headers {
            guard let name = string(sectionNames, header.name), contents(header) != nil else { return nil }
            names.append(name)
        }

        // The symbol table.
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
        // Relocations, by the section they apply to.
        var relocations: [Int: [Relocation]] = [:]
        for header in headers where header.type == 4 || header.type == 9 {
            guard let table = contents(header) else { return nil }
            let size = header.type == 4 ? 24 : 16
            var offset = table.lowerBound
            var entries: [Relocation] = []
            while offset + size <= table.upperBound {
                guard let at = integer(offset, UInt64.self), let info = integer(offset + 8, UInt64.self) else { return nil }
                let addend = size == 24 ? integer(offset + 16, Int64.self) ?? 0 : 0
                entries.append((at, UInt32(truncatingIfNeeded: info), Int(info >> 32), addend))
                offset += size
            }
            relocations[Int(header.info), default: []] += entries
        }

        self.headers = headers
        self.names = names
        self.symbols = symbols
        self.relocations = relocations
    }
}
