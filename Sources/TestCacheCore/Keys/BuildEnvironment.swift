import TestCacheStore

/// The environment variables that can change what SwiftPM builds, as key fields.
///
/// Some variables change every build whatever the manifests say: compilers, SDKs and paths the C
/// toolchain searches, SwiftPM's own switches. A manifest can also read any variable
/// (`ProcessInfo.processInfo.environment`, `Context.environment`, `getenv`) and change targets or flags
/// with it: ``ManifestEnvironmentReads`` finds the names each manifest reads, and only those join the key.
/// Only a manifest that reads the environment in a way whose names cannot be known (iterating it, a
/// computed name) makes all of it part of the key, but for variables that only tell one shell from another.
enum BuildEnvironment {
    /// Variables read by the compilers, linkers and SwiftPM themselves.
    static let alwaysRelevant: Set<String> = [
        "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
        "LIBRARY_PATH", "PKG_CONFIG_PATH", "SDKROOT", "SWIFT_EXEC", "SWIFT_EXEC_MANIFEST", "SWIFT_DRIVER_SWIFT_FRONTEND_EXEC",
        "TOOLCHAINS", "DEVELOPER_DIR", "MACOSX_DEPLOYMENT_TARGET",
    ]

    /// Prefixes of variables that configure SwiftPM and the Swift CI conventions manifests follow.
    static let relevantPrefixes = ["SWIFTPM_", "SWIFTCI_"]

    /// Variables that differ between shells, terminals and login sessions without changing any build or
    /// test; and ours. (What CI systems set per run is ``CIEnvironment``'s.)
    static let volatile: Set<String> = [
        "PWD", "OLDPWD", "SHLVL", "_", "TERM", "COLORTERM", "COLUMNS", "LINES", "DISPLAY", "WINDOWID", "TMUX",
        "TMUX_PANE", "STY", "SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_TTY",
        "HISTFILE", "WINDOWPATH", "VTE_VERSION", "INVOCATION_ID", "JOURNAL_STREAM", "LS_COLORS",
    ]
    static let volatilePrefixes = [EnvironmentVariable.prefix, "TERM_", "XDG_SESSION_", "LC_TERMINAL"]

    /// Whether a variable only tells one shell or terminal from another.
    static func isVolatile(_ name: String) -> Bool {
        volatile.contains(name) || volatilePrefixes.contains { name.hasPrefix($0) }
    }

    /// Adds the variables that can change the build to a key: the compilers' and SwiftPM's (unless
    /// `buildVariables` is false, for a second set of manifests), and what the manifests read (each
    /// manifest's by name, or every variable but the volatile ones when one of them reads the environment
    /// in a way whose names cannot be known). `manifests` pairs each manifest's path, as explain shows it,
    /// with what it reads.
    static func add(
        _ environment: [String: String], manifests: [(path: String, reads: ManifestEnvironmentReads)],
        buildVariables: Bool = true, to key: inout FieldHasher
    ) {
        if let unnamed = manifests.first(where: { $0.reads.unnamedRead != nil }) {
            key.update(KeyField(kind: .environment), "whole: \(unnamed.path) reads \(unnamed.reads.unnamedRead ?? "")")
            addAll(environment, to: &key) { !isVolatile($0) }
            return
        }
        if buildVariables {
            key.update(KeyField(kind: .environment), "build variables and what the manifests read by name")
            addAll(environment, to: &key) { name in alwaysRelevant.contains(name) || relevantPrefixes.contains { name.hasPrefix($0) } }
        }
        for (path, reads) in manifests {
            for name in reads.names.sorted() {
                key.update(KeyField(kind: .manifestVariable, subject: name, reader: path), environment[name].map { "=" + $0 } ?? "unset")
            }
        }
    }

    /// What each manifest at `paths` (absolute) reads, with its path relative to `root` for explain.
    static func manifestReads(_ paths: [String], root: String) -> [(path: String, reads: ManifestEnvironmentReads)] {
        paths.compactMap { path in
            FileSystem.contents(path).map { (relativePath(path, from: root), ManifestEnvironmentReads(manifest: String(decoding: $0, as: UTF8.self))) }
        }
    }

    /// Adds every variable of a read of the whole environment (a test's) to a key: all but the volatile
    /// ones and those the CI system running now sets per run (``CIEnvironment``).
    static func addWhole(_ environment: [String: String], to key: inout FieldHasher) {
        key.update(KeyField(kind: .environment), "whole")
        let perRun = CIEnvironment.perRunFilter(for: environment)
        addAll(environment, to: &key) { !isVolatile($0) && !perRun($0) }
    }

    /// Adds the variables `includes` takes, sorted by name, each as an `env` field.
    private static func addAll(_ environment: [String: String], to key: inout FieldHasher, _ includes: (String) -> Bool) {
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where includes(name) {
            key.update(KeyField(kind: .env, subject: name), value)
        }
    }
}
