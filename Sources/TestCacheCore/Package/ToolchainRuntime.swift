#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TestCacheStore

/// The shared libraries of a toolchain's runtime, which every test process loads: the standard library,
/// Foundation, Dispatch, XCTest, Swift Testing.
///
/// `swift --version` names a release, not what is installed: a toolchain patched or rebuilt in place
/// (a distribution's update, a local build) keeps its version line while its runtime changes what a test
/// does, and no object of the package shows it. So the toolchain's identity holds each library's GNU
/// build ID, the hash of its contents the linker writes into it (Go keys its toolchain the same way,
/// by build ID), and the memo of that identity is keyed by the libraries' status as well as `swift`'s.
/// Reading a build ID takes the first pages of a file, not the file.
enum ToolchainRuntime {
    /// Bytes read from the start of a library for its notes: the build ID note sits in the first page of
    /// every library linked here (seen at offset 0x2c8 of the toolchain's), far within this.
    static let headerBytes = 16 << 10

    /// The runtime's shared libraries beside `swift` (`<toolchain>/usr/bin/swift` →
    /// `<toolchain>/usr/lib/swift/linux`), with their status, sorted by name; none when that directory
    /// is not there (a `swift` that is not a toolchain's, or macOS, whose runtime is the system's).
    static func libraries(swiftPath resolved: String) -> [(name: String, path: String, status: FileStatus)] {
        let directory = parentDirectory(parentDirectory(resolved)) + "/lib/swift/linux"
        var libraries: [(name: String, path: String, status: FileStatus)] = []
        FileSystem.forEachFile(inDirectory: directory) { name, _ in
            let path = directory + "/" + name
            if name.hasSuffix(".so"), let status = FileSystem.status(following: path), status.isRegular {
                libraries.append((name, path, status))
            }
            return false
        }
        return libraries.sorted { $0.name < $1.name }
    }

    /// One line per runtime library: its name and build ID, or the hash of its bytes when it has none.
    static func identity(swiftPath resolved: String) -> String {
        libraries(swiftPath: resolved).map { library in
            "runtime \(library.name) \(buildID(ofFileAt: library.path) ?? FileSystem.contents(library.path).map { "sha256:" + OutputID(of: $0).hex } ?? "unreadable")\n"
        }.joined()
    }

    /// The GNU build ID of the ELF file at `path`, read from its first ``headerBytes``; nil when it has
    /// none there or is not a 64-bit little-endian ELF file.
    static func buildID(ofFileAt path: String) -> String? {
        let descriptor = FileSystem.openForReading(path)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let status = FileSystem.status(of: descriptor),
            let bytes = FileSystem.read(descriptor, count: min(Int(status.size), headerBytes))
        else { return nil }
        return buildID(inHeader: bytes)
    }

    /// The GNU build ID in the notes the program headers of an ELF file's first bytes point at.
    static func buildID(inHeader bytes: [UInt8]) -> String? {
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T? {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
            return value
        }
        // e_ident: magic, class 2 (64-bit), data 1 (little-endian).
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1,
            let table = integer(0x20, UInt64.self), let entrySize = integer(0x36, UInt16.self),
            let count = integer(0x38, UInt16.self), entrySize >= 56, table < UInt64(bytes.count)
        else { return nil }
        for index in 0..<Int(count) {
            let header = Int(table) + index * Int(entrySize)
            // PT_NOTE segments hold the notes.
            guard let type = integer(header, UInt32.self), let offset = integer(header + 8, UInt64.self),
                let size = integer(header + 32, UInt64.self)
            else { return nil }
            guard type == 4, offset < UInt64(bytes.count) else { continue }
            var note = Int(offset)
            let end = Int(min(offset + size, UInt64(bytes.count)))
            while note + 12 <= end {
                guard let nameSize = integer(note, UInt32.self), let descriptionSize = integer(note + 4, UInt32.self),
                    let noteType = integer(note + 8, UInt32.self)
                else { return nil }
                let name = note + 12
                let description = name + (Int(nameSize) + 3) / 4 * 4
                let next = description + (Int(descriptionSize) + 3) / 4 * 4
                guard next <= end else { break }
                // NT_GNU_BUILD_ID (3), owner "GNU".
                if noteType == 3, nameSize == 4, Array(bytes[name..<(name + 3)]) == Array("GNU".utf8) {
                    return bytes[description..<(description + Int(descriptionSize))].map { byte in
                        String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
                    }.joined()
                }
                note = next
            }
        }
        return nil
    }
}
