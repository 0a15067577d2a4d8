/// What the index says about one stored result: which output, how large, and when it was stored.
public struct Entry: Sendable, Hashable {
    /// The hash of the stored output bytes.
    public var outputID: OutputID
    /// The output's size in bytes.
    public var size: Int
    /// When the result was stored, in nanoseconds since 1970 by the store's clock.
    public var storedAt: Int64

    public init(outputID: OutputID, size: Int, storedAt: Int64) {
        self.outputID = outputID
        self.size = size
        self.storedAt = storedAt
    }
}

/// The outcome of a lookup: the value, or why there is none.
public enum Lookup<Value> {
    case hit(Value)
    case miss(MissReason)

    /// The value of a hit, or nil.
    public var value: Value? {
        if case .hit(let value) = self { value } else { nil }
    }

    /// The reason of a miss, or nil.
    public var missReason: MissReason? {
        if case .miss(let reason) = self { reason } else { nil }
    }
}

extension Lookup: Sendable where Value: Sendable {}
extension Lookup: Equatable where Value: Equatable {}

/// Why a lookup found nothing usable. Every kind of trouble with an entry or its output ends here.
public enum MissReason: Sendable, Hashable, CustomStringConvertible {
    /// Nothing is stored under the key.
    case notFound
    /// The store's directory could not be created or used; caching is off for this run.
    case unavailable
    /// The entry or output exists but could not be read (the system's reason).
    case unreadable(String)
    /// The entry file is not a well-formed entry (truncated, empty, oversized, garbage).
    case malformedEntry(String)
    /// The entry file names another action ID than the one it is filed under.
    case wrongID
    /// The entry was stored before the last "expire everything" mark (`clean`).
    case expired
    /// The entry's output is gone (trimmed, or deleted by hand).
    case outputMissing
    /// The output's size is not the size the entry recorded.
    case sizeMismatch(expected: Int, actual: Int)
    /// The output's bytes do not hash to the output ID the entry recorded.
    case checksumMismatch

    public var description: String {
        switch self {
        case .notFound: "not found"
        case .unavailable: "store unavailable"
        case .unreadable(let why): "unreadable: \(why)"
        case .malformedEntry(let why): "malformed entry: \(why)"
        case .wrongID: "entry filed under the wrong action ID"
        case .expired: "expired by clean"
        case .outputMissing: "output missing"
        case .sizeMismatch(let expected, let actual): "output size \(actual), entry says \(expected)"
        case .checksumMismatch: "output checksum mismatch"
        }
    }
}

/// The on-disk form of an index entry: one fixed-size line.
///
/// `stc1 <action hex> <output hex> <size, 20 digits> <stored-at ns, 20 digits>\n`. A fixed size lets
/// a reader reject a truncated or oversized file before parsing it, and keeps every entry one block.
enum EntryFormat {
    static let magic = "stc\(FormatVersion.storeEntry)"
    /// Decimal digits of each number field: enough for any non-negative Int64.
    static let numberWidth = 20
    /// Bytes in an encoded entry: magic, two 64-digit hashes, two numbers, four spaces and a newline.
    static let encodedSize = magic.utf8.count + 1 + 64 + 1 + 64 + 1 + numberWidth + 1 + numberWidth + 1

    static func encode(_ action: ActionID, _ entry: Entry) -> [UInt8] {
        let line = "\(magic) \(action.hex) \(entry.outputID.hex) \(padded(entry.size)) \(padded(entry.storedAt))\n"
        return Array(line.utf8)
    }

    /// Parses an entry filed under `action`, or says what is wrong with it.
    static func decode(_ bytes: [UInt8], filedUnder action: ActionID) -> Lookup<Entry> {
        guard bytes.count == encodedSize else {
            return .miss(.malformedEntry("\(bytes.count) bytes, expected \(encodedSize)"))
        }
        let fields = bytes.dropLast().split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard bytes.last == UInt8(ascii: "\n"), fields.count == 5, fields[0].elementsEqual(magic.utf8) else {
            return .miss(.malformedEntry("bad header"))
        }
        guard let filed = Digest32(hex: fields[1]), let output = Digest32(hex: fields[2]) else {
            return .miss(.malformedEntry("bad hash"))
        }
        guard let size = number(fields[3]), let storedAt = number(fields[4]) else {
            return .miss(.malformedEntry("bad number"))
        }
        guard filed == action.digest else { return .miss(.wrongID) }
        return .hit(Entry(outputID: OutputID(digest: output), size: Int(size), storedAt: storedAt))
    }

    private static func padded(_ value: some BinaryInteger) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, numberWidth - digits.count)) + digits
    }

    /// A field of exactly `numberWidth` decimal digits that fits in an Int64; nothing else.
    private static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        guard field.count == numberWidth, field.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(String(decoding: field, as: UTF8.self))
    }
}
