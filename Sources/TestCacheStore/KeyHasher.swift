import Crypto

/// What every key is salted with, so that a new tool version or a new store format never reads old keys.
public struct KeySalt: Sendable, Hashable {
    /// The version of the tool making keys: a new release invalidates every key of the old one.
    public var toolVersion: String

    /// The version of the hashing scheme, which every key is salted with (``FormatVersion/keys``).
    public static let formatVersion = FormatVersion.keys

    public init(toolVersion: String) {
        self.toolVersion = toolVersion
    }
}

/// Builds an ``ActionID`` from a named, salted, unambiguous sequence of fields.
///
/// Every field is written with its length in front, so `("ab", "c")` and `("a", "bc")` hash differently.
/// With a trace function set, every field is reported as it is hashed (the `hash` debug switch). What a
/// field means is its caller's business: the engine names its fields with typed values of its own.
public struct KeyHasher {
    private var sha = SHA256()
    private let name: String
    private let trace: (@Sendable (String) -> Void)?

    /// Starts a key of the kind `name` (for example "test-action"), salted with the tool and format versions.
    public init(name: String, salt: KeySalt, trace: (@Sendable (String) -> Void)? = nil) {
        self.name = name
        self.trace = trace
        absorb("swift-testcache key")
        absorb(name)
        absorb(salt.toolVersion)
        absorb(String(KeySalt.formatVersion))
    }

    /// Adds a string field.
    public mutating func update(_ string: String) {
        absorb(string)
        trace?("HASH[\(name)]: \(string.debugDescription)")
    }

    /// Adds a named string field (`name = value` in the trace).
    public mutating func update(field: String, _ value: String) {
        absorb(field)
        absorb(value)
        trace?("HASH[\(name)]: \(field) = \(value.debugDescription)")
    }

    /// Adds raw bytes as one field (traced as their count only).
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        absorb(bytes)
        trace?("HASH[\(name)]: \(bytes.count) bytes")
    }

    /// Adds another key (a parent, or a dependency's key) as one field.
    public mutating func update(_ id: ActionID) {
        id.digest.withUnsafeBytes { absorb($0) }
        trace?("HASH[\(name)]: action \(id.hex)")
    }

    /// Adds an output ID (the hash of some content) as one field.
    public mutating func update(_ id: OutputID) {
        id.digest.withUnsafeBytes { absorb($0) }
        trace?("HASH[\(name)]: output \(id.hex)")
    }

    /// The key.
    public func finalize() -> ActionID {
        let id = ActionID(digest: Digest32(sha.finalize()))
        trace?("HASH[\(name)]: => \(id.hex)")
        return id
    }

    /// Writes one length-prefixed field into the hash, untraced.
    private mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        var length = UInt64(bytes.count).littleEndian
        withUnsafeBytes(of: &length) { sha.update(bufferPointer: $0) }
        sha.update(bufferPointer: bytes)
    }

    private mutating func absorb(_ string: String) {
        var string = string
        string.withUTF8 { absorb(UnsafeRawBufferPointer($0)) }
    }
}
