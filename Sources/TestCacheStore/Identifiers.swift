import Crypto

/// Thirty-two bytes of SHA-256, kept inline so identifiers are cheap to copy, compare and hash.
struct Digest32: Hashable, Sendable {
    /// The digest's bytes in order, as four words loaded in memory order.
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { source in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) }
        }
        self.words = words
    }

    static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// The SHA-256 of `bytes`.
    static func sha256(of bytes: UnsafeRawBufferPointer) -> Digest32 {
        Digest32(SHA256.hash(data: bytes))
    }

    /// Calls `body` with the 32 bytes in order.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Lower-case hexadecimal, 64 characters: the form used in file names and entries.
    var hex: String {
        withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 64) { buffer in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = hexDigits[Int(byte >> 4)]
                    buffer[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
                }
                return 64
            }
        }
    }

    /// Parses exactly 64 lower-case hexadecimal characters; anything else is nil.
    init?(hex: some Collection<UInt8>) {
        guard hex.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &words) { out -> Bool in
            var iterator = hex.makeIterator()
            for index in 0..<32 {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return false }
                out[index] = high << 4 | low
            }
            return true
        }
        guard parsed else { return nil }
        self.words = words
    }

    /// Parses a 64-character lower-case hexadecimal string.
    init?(hex: String) {
        self.init(hex: Array(hex.utf8))
    }
}

/// ASCII codes of the sixteen lower-case hexadecimal digits.
private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// The value of one lower-case hexadecimal digit; upper case is rejected so each digest has one spelling.
private func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    default: nil
    }
}

/// The hash of a complete description of a repeatable computation: what a result is stored under.
///
/// An action ID is made with a ``KeyHasher`` (named and salted) or derived with ``ActionID/subkey(_:)``.
public struct ActionID: Hashable, Sendable, CustomStringConvertible {
    var digest: Digest32

    init(digest: Digest32) {
        self.digest = digest
    }

    /// Parses the 64-character lower-case hexadecimal form.
    public init?(hex: String) {
        guard let digest = Digest32(hex: hex) else { return nil }
        self.digest = digest
    }

    /// The 64-character lower-case hexadecimal form.
    public var hex: String { digest.hex }

    public var description: String { hex }

    /// Derives a key for one aspect of this computation (its input list, its key components…).
    ///
    /// Two different descriptions, or the same description under two different parents, give unrelated keys.
    public func subkey(_ description: String, salt: KeySalt) -> ActionID {
        var hasher = KeyHasher(name: "subkey", salt: salt)
        hasher.update(self)
        hasher.update(description)
        return hasher.finalize()
    }
}

/// The SHA-256 of output bytes, unsalted, so that any holder of the bytes can verify them.
public struct OutputID: Hashable, Sendable, CustomStringConvertible {
    var digest: Digest32

    init(digest: Digest32) {
        self.digest = digest
    }

    /// The ID of `bytes`: their plain SHA-256.
    public init(of bytes: [UInt8]) {
        self.digest = bytes.withUnsafeBytes { Digest32.sha256(of: $0) }
    }

    /// Parses the 64-character lower-case hexadecimal form.
    public init?(hex: String) {
        guard let digest = Digest32(hex: hex) else { return nil }
        self.digest = digest
    }

    /// Parses the 64-character lower-case hexadecimal form from bytes, for parsers that never make Strings.
    /// (Concrete rather than generic: a generic across modules runs unspecialized, through witnesses.)
    package init?(hex: UnsafeRawBufferPointer) {
        guard let digest = Digest32(hex: hex) else { return nil }
        self.digest = digest
    }

    /// The 64-character lower-case hexadecimal form.
    public var hex: String { digest.hex }

    public var description: String { hex }
}
