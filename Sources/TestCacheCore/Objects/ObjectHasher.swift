import Synchronization
import TestCacheStore

/// Hashes an object file by what can run: for ELF, every section but debug info and its relocations,
/// and the Swift compiler's module hash.
///
/// Debug sections hold line tables and the names of module-cache files, which change when nothing that
/// runs did (a blank line at the top of a file; the first incremental build after a clean one).
/// `.swift_modhash` is a private global no code refers to: the compiler stores a hash of the module's
/// LLVM IR there to skip code generation next time, and its value was seen to differ between a clean
/// and an incremental compile of the same source. Anything that is not a well-formed 64-bit
/// little-endian ELF object is hashed whole.
enum ObjectHasher {
    /// The hex digest of an object's running parts (of the whole file when it is not ELF).
    static func hash(_ bytes: [UInt8]) -> String {
        guard let sections = elfSections(bytes) else { return "whole " + OutputID(of: bytes).hex }
        var hasher = KeyHasher(name: "object-sections", salt: KeySalt(toolVersion: ""))
        // The file header, but for where the section table is (it moves when debug sections grow).
        var header = Array(bytes[0..<64])
        header.replaceSubrange(0x28..<0x30, with: repeatElement(0, count: 8))
        header.withUnsafeBytes { hasher.update(bytes: $0) }
        for section in sections where !isDebugInfo(section.name) {
            // The whole section header (type, flags, link, info, alignment, entry size) but its file offset.
            section.header.withUnsafeBytes { hasher.update(bytes: $0) }
            bytes[section.range].withUnsafeBytes { hasher.update(bytes: $0) }
        }
        return "sections " + hasher.finalize().hex
    }

    /// Whether a section is left out: debug info, the module hash, and a linked file's build ID, which the
    /// linker computes over the whole file, debug info included.
    static func isDebugInfo(_ name: String) -> Bool {
        name.hasPrefix(".debug") || name.hasPrefix(".rela.debug") || name.hasPrefix(".rel.debug")
            || name == ".swift_modhash" || name == ".note.gnu.build-id"
    }

    struct Section {
        var name: String
        var type: UInt32
        /// The section's header entry with its file offset zeroed.
        var header: [UInt8]
        /// Where its contents are in the file; empty for SHT_NOBITS (.bss), which has a size and no contents.
        var range: Range<Int>
    }

    /// The sections of a 64-bit little-endian ELF file, or nil for anything else or anything out of bounds.
    static func elfSections(_ bytes: [UInt8]) -> [Section]? {
        // e_ident: magic, class 2 (64-bit), data 1 (little-endian); the header is 64 bytes.
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1
        else { return nil }
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
            return value
        }
        guard let tableOffset = integer(0x28, UInt64.self), let entrySize = integer(0x3A, UInt16.self),
            let count = integer(0x3C, UInt16.self), let namesIndex = integer(0x3E, UInt16.self),
            entrySize >= 64, namesIndex < count,
            tableOffset <= UInt64(bytes.count), UInt64(count) * UInt64(entrySize) <= UInt64(bytes.count) - tableOffset
        else { return nil }
        var headers: [(nameOffset: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64)] = []
        for index in 0..<Int(count) {
            let base = Int(tableOffset) + index * Int(entrySize)
            guard let name = integer(base, UInt32.self), let type = integer(base + 4, UInt32.self),
                let flags = integer(base + 8, UInt64.self), let offset = integer(base + 24, UInt64.self),
                let size = integer(base + 32, UInt64.self)
            else { return nil }
            headers.append((name, type, flags, offset, size))
        }
        func contents(_ header: (nameOffset: UInt32, type: UInt32, flags: UInt64, offset: UInt64, size: UInt64)) -> Range<Int>? {
            if header.type == 8 || header.type == 0 { return 0..<0 }
            guard header.offset <= UInt64(bytes.count), header.size <= UInt64(bytes.count) - header.offset else { return nil }
            return Int(header.offset)..<Int(header.offset + header.size)
        }
        guard let names = contents(headers[Int(namesIndex)]) else { return nil }
        var sections: [Section] = []
        for header in headers {
            guard let range = contents(header), UInt64(header.nameOffset) < UInt64(names.count) else { return nil }
            let start = names.lowerBound + Int(header.nameOffset)
            let end = bytes[start..<names.upperBound].firstIndex(of: 0) ?? names.upperBound
            let name = String(decoding: bytes[start..<end], as: UTF8.self)
            let entry = Int(tableOffset) + sections.count * Int(entrySize)
            var headerBytes = Array(bytes[entry..<(entry + Int(entrySize))])
            headerBytes.replaceSubrange(24..<32, with: repeatElement(0, count: 8))
            sections.append(Section(name: name, type: header.type, header: headerBytes, range: range))
        }
        return sections
    }
}
