/// How a section that holds several things is read as parts: a part per sized symbol, the jump tables a
/// data section holds for the functions of others, and the bytes between.
extension ObjectGraph {
    /// One part of a section read as several.
    struct Part {
        var id = 0
        var start: UInt64
        var end: UInt64
        var label: String
        var symbols: [ELFObject.Symbol]
        /// Whether it is a jump table cut out of a data section (``jumpTables(ofSection:in:outside:)``).
        var isJumpTable = false
    }

    /// The low bits a tag may take in a relative pointer (Swift keeps flags in up to three of them, in an
    /// int pair): bits its target's alignment leaves zero, so the target is what the pointer spells with
    /// none, one, two or three of its low bits cleared.
    static let relativePointerTagBits = 3

    /// The parts section `index` of `elf` is read as, or nil when it is read whole.
    ///
    /// A section that holds two or more sized functions or objects (a plain `.text` with the closures of
    /// several functions, `.rodata.str1.1` with every string literal of a file) is read as a part per
    /// symbol, so that what one function reaches is not what its neighbours do; the bytes between symbols
    /// are parts of their own. A data section of x86-64 code that holds a function's jump tables (a plain
    /// `.rodata` with a module's descriptor, its names and the switch tables of its functions) is split
    /// too, each table a part: a table is read only by the function that jumps through it, so reaching the
    /// descriptor beside it does not reach every function with a `switch`. Code is split only where its
    /// intra-section references can be found (``intraSectionReferences(_:from:covered:)``).
    static func parts(ofSection index: Int, in elf: ELFObject, label: String, defined: [ELFObject.Symbol], isX86_64: Bool) -> [Part]? {
        let header = elf.headers[index]
        let isCode = header.flags & 0x4 != 0
        guard !isCode || isX86_64 else { return nil }
        let sized = defined.filter { ($0.info & 0xF == 1 || $0.info & 0xF == 2) && $0.size > 0 && $0.value < header.size }
        var ranges: [(start: UInt64, end: UInt64, symbols: [ELFObject.Symbol])] = []
        // A class's metadata symbol (`…N`) is its address point inside the full metadata (`…Mf`), but is
        // given the full metadata's size, which runs into the next class's: it ends where `…Mf` does.
        var fullMetadata: [String: (start: UInt64, end: UInt64)] = [:]
        for symbol in sized where isSwiftMangled(symbol.name) && symbol.name.hasSuffix("Mf") {
            fullMetadata[String(symbol.name.dropLast(2))] = (symbol.value, symbol.value + symbol.size)
        }
        // Likewise a method descriptor (`…Tq`) is a place in its class's descriptor (`…Mn`), given the
        // descriptor's size: it ends where the descriptor does, not in the records after it.
        let descriptors = sized.filter { isSwiftMangled($0.name) && $0.name.hasSuffix("Mn") }.map { $0.value..<($0.value + $0.size) }
        for symbol in sized.sorted(by: { ($0.value, $0.name) < ($1.value, $1.name) }) {
            var end = min(symbol.value + symbol.size, header.size)
            if symbol.name.hasSuffix("N"), let full = fullMetadata[String(symbol.name.dropLast())], full.start <= symbol.value, symbol.value < full.end {
                end = min(end, full.end)
            }
            if isSwiftMangled(symbol.name), symbol.name.hasSuffix("Tq"), let descriptor = descriptors.first(where: { $0.contains(symbol.value) }) {
                end = min(end, descriptor.upperBound)
            }
            if let last = ranges.last, symbol.value < last.end {
                ranges[ranges.count - 1].end = max(last.end, end)
                ranges[ranges.count - 1].symbols.append(symbol)
            } else {
                ranges.append((symbol.value, end, [symbol]))
            }
        }
        let tables = isCode || !isX86_64 ? [] : jumpTables(ofSection: index, in: elf, outside: ranges.map { $0.start..<$0.end })
        guard sized.count >= 2 || !tables.isEmpty else { return nil }
        var list: [Part] = []
        var used: [String: Int] = [:]
        func named(_ name: String) -> String {
            used[name, default: 0] += 1
            return label + "@" + name + (used[name]! > 1 ? "#\(used[name]! - 1)" : "")
        }
        var cursor: UInt64 = 0
        var previous = "start"
        /// The bytes from `cursor` to `end`: jump tables and what lies between them.
        func unsized(to end: UInt64) {
            for table in tables where table.lowerBound >= cursor && table.upperBound <= end {
                if cursor < table.lowerBound { list.append(Part(start: cursor, end: table.lowerBound, label: named("after " + previous), symbols: [])) }
                list.append(Part(start: table.lowerBound, end: table.upperBound, label: named("table after " + previous), symbols: [], isJumpTable: true))
                cursor = table.upperBound
            }
            if cursor < end { list.append(Part(start: cursor, end: end, label: named("after " + previous), symbols: [])) }
        }
        for range in ranges {
            unsized(to: range.start)
            let name = range.symbols[0].name.isEmpty ? "+\(range.start)" : range.symbols[0].name
            list.append(Part(start: range.start, end: range.end, label: named(name), symbols: range.symbols))
            cursor = range.end
            previous = name
        }
        unsized(to: header.size)
        for number in list.indices { list[number].id = (number + 1) << 16 | index }
        return list
    }

    /// The jump tables in data section `index` of x86-64 code: runs of 4-byte entries, each a relocation
    /// relative to the table (PC32) into code of this object, outside every sized symbol (`outside`), that
    /// start where a relocation from code points (the function's `lea` of its table). A run that code
    /// points into the middle of is two tables; a run's start that no code points at stays with the bytes
    /// around it. Such a table is the compiler's, made for the one function that points at it.
    static func jumpTables(ofSection index: Int, in elf: ELFObject, outside sized: [Range<UInt64>]) -> [Range<UInt64>] {
        let (headers, symbols) = (elf.headers, elf.symbols)
        func isCode(_ section: UInt16) -> Bool { Int(section) > 0 && Int(section) < headers.count && headers[Int(section)].flags & 0x4 != 0 }
        var entries: [UInt64] = []
        for relocation in elf.relocations[index] ?? [] where relocation.type == 2 && relocation.offset % 4 == 0 {
            guard relocation.symbol < symbols.count, isCode(symbols[relocation.symbol].section) else { continue }
            guard !sized.contains(where: { $0.contains(relocation.offset) }) else { continue }
            entries.append(relocation.offset)
        }
        guard !entries.isEmpty else { return [] }
        // Where code points into this section: a PC-relative operand's addend is its target less the 4
        // bytes to the end of its field, when nothing follows it in the instruction (a `lea`).
        var starts: Set<UInt64> = []
        for (section, list) in elf.relocations where headers.indices.contains(section) && headers[section].flags & 0x4 != 0 {
            for relocation in list where relocation.symbol < symbols.count && Int(symbols[relocation.symbol].section) == index {
                let target = Int64(bitPattern: symbols[relocation.symbol].value) &+ relocation.addend &+ (x86PCRelative.contains(relocation.type) ? 4 : 0)
                if target >= 0 { starts.insert(UInt64(target)) }
            }
        }
        var tables: [Range<UInt64>] = []
        var run: [UInt64] = []
        func close() {
            // Each start code points at in the run begins a table that runs to the next start or the run's end.
            let cuts = run.filter { starts.contains($0) }
            for (number, start) in cuts.enumerated() {
                tables.append(start..<(number + 1 < cuts.count ? cuts[number + 1] : run.last! + 4))
            }
            run = []
        }
        for entry in Set(entries).sorted() {
            if let last = run.last, entry != last + 4 { close() }
            run.append(entry)
        }
        close()
        return tables
    }

    /// The other parts of a split data section that the bytes of `part` may point at without a
    /// relocation: the assembler resolves a difference within one section itself, so a relative pointer
    /// (Swift's descriptors point at their names and parents so, relative to the pointer's own field, a
    /// tag in the low bits its target's alignment leaves free) to a neighbour leaves no relocation to
    /// follow. Every aligned 4-byte word that no relocation fills is read as such a pointer, so that a
    /// table cut out of its section is reached by any word that might point into it.
    static func relativeNeighbours(of part: Part, in list: [Part], contents: ArraySlice<UInt8>, alignment: UInt64, covered: Set<UInt64>) -> [Int] {
        let step: UInt64 = alignment >= 4 ? 4 : 1
        var found: Set<Int> = []
        var at = (part.start + step - 1) / step * step
        let base = contents.startIndex
        /// The index of the last part that starts at or before `offset` (the list is in order, without gaps).
        func partIndex(_ offset: Int64) -> Int {
            var (low, high) = (0, list.count)
            while high - low > 1 {
                let middle = (low + high) / 2
                if Int64(list[middle].start) <= offset { low = middle } else { high = middle }
            }
            return low
        }
        while at + 4 <= part.end, Int(at) + 4 <= contents.count {
            defer { at += step }
            guard !(at..<(at + 4)).contains(where: covered.contains) else { continue }
            let index = base + Int(at)
            let word = UInt32(contents[index]) | UInt32(contents[index + 1]) << 8 | UInt32(contents[index + 2]) << 16 | UInt32(contents[index + 3]) << 24
            let spelled = Int64(at) + Int64(Int32(bitPattern: word))
            for bits in 0...relativePointerTagBits {
                let target = spelled & ~((1 << Int64(bits)) - 1)
                guard let last = list.last, target >= 0, target < Int64(last.end) else { continue }
                let number = partIndex(target)
                if list[number].id != part.id { found.insert(list[number].id) }
            }
        }
        return Array(found)
    }
}
