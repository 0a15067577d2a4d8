/// Every environment variable swift-testcache reads or sets, by name: the one place they are spelled.
/// Help texts, error messages and the code that reads them interpolate these. (The read tracer, written
/// in C, spells ``traceLog`` itself; a test holds the two together.)
public enum EnvironmentVariable {
    /// What every name below starts with: the tool's own variables, which never join a key.
    public static let prefix = "SWIFT_TESTCACHE_"
    /// The store's directory, an absolute path.
    public static let directory = prefix + "DIR"
    /// The store's size cap (`500M`, `2G`).
    public static let maxSize = prefix + "MAX_SIZE"
    /// Debug switches, comma-separated: `test`, `hash`, `remote`.
    public static let debug = prefix + "DEBUG"
    /// Where a traced test process writes its log: set by the engine, read by the tracer.
    public static let traceLog = prefix + "TRACE_LOG"
    /// The remote cache's URL, when `--remote-cache` is not given.
    public static let remoteCache = prefix + "REMOTE_CACHE"
    /// One header for every remote-cache request, when `--remote-cache-header` is not given.
    public static let remoteHeader = prefix + "REMOTE_HEADER"
    /// `1`, `true` or `yes`: read the remote cache, upload nothing.
    public static let remoteReadOnly = prefix + "REMOTE_READ_ONLY"
    /// The key that signs and verifies the remote cache's action records.
    public static let remoteKey = prefix + "REMOTE_KEY"
    /// A bound on connecting to the remote cache (a Go duration).
    public static let remoteTimeout = prefix + "REMOTE_TIMEOUT"
    /// What the shards of one `--partition time:K/N` run share a plan under, when not the CI run's ID.
    public static let planID = prefix + "PLAN_ID"
}
