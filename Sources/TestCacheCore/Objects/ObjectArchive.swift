import TestCacheStore

/// What an object file read as, written to bytes and read back: how ``ObjectMemory`` keeps a reading in
/// the store for the next process, so that a run after a one-line edit reads only the objects it changed.
///
/// The format is a header (`stc-object N`, ``FormatVersion/objectReading``) and then fields in a fixed
/// order: integers as unsigned LEB128, strings as a length and UTF-8, lists as a count and items. Any
/// bytes that do not read back whole (truncated, a length past the end, bytes left over, a tag out of
/// range) make no reading at all, and the object is read again: a broken entry is a miss.
struct ObjectArchive {
    /// The header every archive starts with; a reading of another version is not read.
    static let header = Array("stc-object \(FormatVersion.objectReading)\n".utf8)

    private(set) var bytes: [UInt8] = header

    mutating func write(_ value: Int) {
        var rest = UInt64(bitPattern: Int64(value))
        repeat {
            let low = UInt8(rest & 0x7F)
            rest >>= 7
            bytes.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
    }

    mutating func write(_ value: Bool) { write(value ? 1 : 0) }

    mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes += utf8
    }

    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func write<Item>(_ items: [Item], _ each: (inout ObjectArchive, Item) -> Void) {
        write(items.count)
        for item in items { each(&self, item) }
    }
}

/// Reads an ``ObjectArchive`` back; every read is nil past the end or on a malformed field.
struct ObjectArchiveReader {
    private let bytes: [UInt8]
    private var offset: Int

    /// A reader of `bytes` past the header; nil when they do not start with it.
    init?(_ bytes: [UInt8]) {
        guard bytes.starts(with: ObjectArchive.header) else { return nil }
        self.bytes = bytes
        self.offset = ObjectArchive.header.count
    }

    /// Whether every byte was read: an archive with bytes left over is not the one that was written.
    var isAtEnd: Bool { offset == bytes.count }

    mutating func integer() -> Int? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            // The tenth byte holds the 64th bit only: more is not a number the writer wrote.
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return Int(exactly: Int64(bitPattern: value)) }
            shift += 7
        }
        return nil
    }

    /// An integer that counts bytes or items still to come: never more than the bytes left, so a
    /// corrupt count cannot make a huge allocation.
    mutating func count() -> Int? {
        guard let value = integer(), value >= 0, value <= bytes.count - offset else { return nil }
        return value
    }

    mutating func boolean() -> Bool? {
        switch integer() {
        case 0: false
        case 1: true
        default: nil
        }
    }

    mutating func string() -> String? {
        guard let length = count() else { return nil }
        defer { offset += length }
        return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
    }

    mutating func optionalString() -> String?? {
        guard let present = boolean() else { return nil }
        guard present else { return .some(nil) }
        return string().map { .some($0) }
    }

    mutating func list<Item>(_ each: (inout ObjectArchiveReader) -> Item?) -> [Item]? {
        guard let count = count() else { return nil }
        // Not reserved: an item in memory is larger than its bytes, so a corrupt count would ask for
        // far more than the archive holds.
        var items: [Item] = []
        for _ in 0..<count {
            guard let item = each(&self) else { return nil }
            items.append(item)
        }
        return items
    }
}

/// A reading ``ObjectMemory`` can keep in the store.
protocol ObjectArchivable: Sendable {
    func archive(into archive: inout ObjectArchive)
    init?(from reader: inout ObjectArchiveReader)
}

extension ObjectArchivable {
    /// The reading as bytes.
    var archived: [UInt8] {
        var archive = ObjectArchive()
        self.archive(into: &archive)
        return archive.bytes
    }

    /// The reading `bytes` hold; nil unless they read back whole.
    init?(archived bytes: [UInt8]) {
        guard var reader = ObjectArchiveReader(bytes), let value = Self(from: &reader), reader.isAtEnd else { return nil }
        self = value
    }
}

extension ObjectGraph.Member: ObjectArchivable {
    /// What the object read as; not its label nor whether it is an entry, which its place in a
    /// closure gives (a member read back has neither, for its reader to set).
    func archive(into archive: inout ObjectArchive) {
        archive.write(wholeDigest)
        archive.write(graph != nil)
        guard let graph else { return }
        archive.write(graph.alwaysCounted)
        archive.write(graph.definitions) { archive, definition in
            archive.write(definition.name)
            archive.write(definition.section)
        }
        archive.write(graph.sections.sorted { $0.key < $1.key }) { archive, entry in
            archive.write(entry.key)
            entry.value.archive(into: &archive)
        }
    }

    init?(from reader: inout ObjectArchiveReader) {
        guard let wholeDigest = reader.string(), let hasGraph = reader.boolean() else { return nil }
        guard hasGraph else {
            self.init(label: "", graph: nil, wholeDigest: wholeDigest, isEntry: false)
            return
        }
        guard let alwaysCounted = reader.optionalString(),
            let definitions = reader.list({ reader -> (name: String, section: Int)? in
                guard let name = reader.string(), let section = reader.integer() else { return nil }
                return (name, section)
            }),
            let sections = reader.list({ reader -> (Int, ObjectGraph.Section)? in
                guard let index = reader.integer(), let section = ObjectGraph.Section(from: &reader) else { return nil }
                return (index, section)
            })
        else { return nil }
        guard let table = try? [Int: ObjectGraph.Section](sections, uniquingKeysWith: { _, _ in throw ObjectArchiveDuplicate() })
        else { return nil }
        let graph = ObjectGraph(sections: table, definitions: definitions, alwaysCounted: alwaysCounted)
        self.init(label: "", graph: graph, wholeDigest: wholeDigest, isEntry: false)
    }
}

/// A section index listed twice in an archive: not one that was written.
private struct ObjectArchiveDuplicate: Error {}

extension ObjectGraph.Section {
    func archive(into archive: inout ObjectArchive) {
        archive.write(label)
        archive.write(reachedOnly)
        archive.write(digest)
        archive.write(isCode)
        archive.write(symbols) { $0.write($1) }
        archive.write(Self.number(of: testRole))
        for targets in [targets, conformingType, conformedProtocol] {
            archive.write(targets) { archive, target in
                switch target {
                case .section(let index):
                    archive.write(0)
                    archive.write(index)
                case .symbol(let name):
                    archive.write(1)
                    archive.write(name)
                }
            }
        }
    }

    init?(from reader: inout ObjectArchiveReader) {
        func readTargets() -> [ObjectGraph.Target]? {
            reader.list { reader in
                switch reader.integer() {
                case 0: reader.integer().map { .section($0) }
                case 1: reader.string().map { .symbol($0) }
                default: nil
                }
            }
        }
        guard let label = reader.string(), let reachedOnly = reader.boolean(), let digest = reader.string(),
            let isCode = reader.boolean(), let symbols = reader.list({ $0.string() }),
            let role = reader.integer().flatMap(Self.role(numbered:)),
            let targets = readTargets(), let conformingType = readTargets(), let conformedProtocol = readTargets()
        else { return nil }
        self.init(
            label: label, reachedOnly: reachedOnly, digest: digest, targets: targets, isCode: isCode, symbols: symbols,
            testRole: role, conformingType: conformingType, conformedProtocol: conformedProtocol)
    }

    /// The number a role is written as.
    private static func number(of role: ObjectGraph.TestRole) -> Int {
        switch role {
        case .root: 0
        case .reachedOnly: 1
        case .typeCatalog: 2
        case .conformanceCatalog: 3
        }
    }

    /// The role written as `number`; nil for a number no role is written as.
    private static func role(numbered number: Int) -> ObjectGraph.TestRole? {
        switch number {
        case 0: .root
        case 1: .reachedOnly
        case 2: .typeCatalog
        case 3: .conformanceCatalog
        default: nil
        }
    }
}

extension ObjectReading: ObjectArchivable {
    func archive(into archive: inout ObjectArchive) {
        archive.write(digest)
        archive.write(typeLookup)
    }

    init?(from reader: inout ObjectArchiveReader) {
        guard let digest = reader.string(), let typeLookup = reader.optionalString() else { return nil }
        self.init(digest: digest, typeLookup: typeLookup)
    }
}

extension ObjectGraph {
    /// A graph as an archive held it.
    fileprivate init(sections: [Int: Section], definitions: [(name: String, section: Int)], alwaysCounted: String?) {
        self.sections = sections
        self.definitions = definitions
        self.alwaysCounted = alwaysCounted
    }
}
