/// Reading x86-64 code without a decoder: the references an instruction makes within its section, padding
/// between functions, and which names are Swift's mangling.
extension ObjectGraph {
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
}
