/// The version of everything swift-testcache writes that outlives a run: the one place they are kept.
///
/// Each is bumped when its bytes, or what they mean, change, and invalidates exactly what it names:
/// - ``keys`` salts every key (``KeySalt``): bump it when what goes into a key, or how it is hashed,
///   changes; every stored entry then misses at once, and ages out of the store.
/// - each record's version is written at its start and checked when it is read: a record of another
///   version is a miss (never an error), so a bump invalidates those records and nothing else.
public enum FormatVersion {
    /// The hashing scheme of every key. 2: dependency packages' files and data files as fields;
    /// 3: typed key fields, hashed as `kind subject`.
    public static let keys = 3
    /// A stored test result (`stc-test-result N`). 2 added the time and the tests; 3 spells the status
    /// as ``TargetStatus`` does.
    public static let resultRecord = 3
    /// The input list a key leads to (`stc-test-inputs N`). 2 added what the build read; 3 what the
    /// linker read.
    public static let inputsRecord = 3
    /// The stat cache's lines (`stc-statcache N`).
    public static let statCache = 1
    /// The store's index entries (`stcN`).
    public static let storeEntry = 1
    /// What an object file read as, kept in the store by its content (`stc-object N`).
    public static let objectReading = 1
    /// The remote cache's action records (`stc-remote-ac N`).
    public static let remoteActionRecord = 1
}
