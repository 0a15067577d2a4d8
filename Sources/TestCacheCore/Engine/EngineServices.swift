import TestCacheStore

/// What the engine takes from the world besides its configuration: time, scratch directories, child
/// processes and the shared cache. The command layer passes the real ones; tests pass fakes.
public struct EngineServices: Sendable {
    /// Wall-clock time in nanoseconds since 1970: when a test run started (inputs changed after it make
    /// its result unsafe to store) and when files were hashed (the stat cache's racy window).
    public var clock: @Sendable () -> Int64
    /// Monotonic time: how long a target ran, how long the status line says it has been running.
    public var monotonicNow: @Sendable () -> ContinuousClock.Instant
    /// Waits the given nanoseconds: before a build, for the sources' timestamps to settle
    /// (``SourceSettling``).
    public var sleep: @Sendable (Int64) async -> Void
    /// Makes a new private directory for one run's trace logs; nil when none can be made.
    public var makeTemporaryDirectory: @Sendable () -> String?
    public var processes: any ProcessRunning
    /// The cache shared with other machines, or nil for none.
    public var sharedCache: (any SharedCache)?
    /// What object files read as in earlier runs of this process (`watch` keeps one for all its runs),
    /// or nil to read every object each run.
    public var objects: ObjectMemory?

    public init(
        clock: @escaping @Sendable () -> Int64, monotonicNow: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        sleep: @escaping @Sendable (Int64) async -> Void = { try? await Task.sleep(nanoseconds: UInt64(max($0, 0))) },
        makeTemporaryDirectory: @escaping @Sendable () -> String?, processes: any ProcessRunning, sharedCache: (any SharedCache)? = nil,
        objects: ObjectMemory? = nil
    ) {
        self.clock = clock
        self.monotonicNow = monotonicNow
        self.sleep = sleep
        self.makeTemporaryDirectory = makeTemporaryDirectory
        self.processes = processes
        self.sharedCache = sharedCache
        self.objects = objects
    }

    /// The real services: the system clock, directories made under `temporaryDirectory` (the command layer
    /// passes `$TMPDIR`'s), real child processes.
    /// `isolatesProcessGroups`: each child in a process group of its own, stopped as a whole when its
    /// task is cancelled (``CommandRunner/isolatesProcessGroups``).
    public static func system(
        temporaryDirectory: String, sharedCache: (any SharedCache)? = nil, isolatesProcessGroups: Bool = false, objects: ObjectMemory? = nil
    ) -> EngineServices {
        EngineServices(
            clock: StoreConfiguration.systemClock,
            monotonicNow: { .now },
            makeTemporaryDirectory: { makePrivateDirectory(in: temporaryDirectory, prefix: "swift-testcache-trace") },
            processes: CommandRunner(isolatesProcessGroups: isolatesProcessGroups),
            sharedCache: sharedCache, objects: objects)
    }
}
