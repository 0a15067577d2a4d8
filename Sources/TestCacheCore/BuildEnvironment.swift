import TestCacheStore

/// The environment variables that can change what SwiftPM builds, as key fields.
///
/// Some variables change every build whatever the manifests say: compilers, SDKs and paths the C
/// toolchain searches, SwiftPM's own switches. A manifest can also read any variable
/// (`ProcessInfo.processInfo.environment`, `Context.environment`, `getenv`) and change targets or flags
/// with it; SwiftPM's own manifest cache is keyed on the whole environment for that reason. When a
/// manifest involved mentions the environment, the whole environment is part of the key, but for
/// variables that only tell one shell or CI job from another.
enum BuildEnvironment {
    /// Variables read by the compilers, linkers and SwiftPM themselves.
    static let alwaysRelevant: Set<String> = [
        "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
        "LIBRARY_PATH", "PKG_CONFIG_PATH", "SDKROOT", "SWIFT_EXEC", "SWIFT_EXEC_MANIFEST", "SWIFT_DRIVER_SWIFT_FRONTEND_EXEC",
        "TOOLCHAINS", "DEVELOPER_DIR", "MACOSX_DEPLOYMENT_TARGET",
    ]

    /// Prefixes of variables that configure SwiftPM and the Swift CI conventions manifests follow.
    static let relevantPrefixes = ["SWIFTPM_", "SWIFTCI_"]

    /// Variables that differ between shells, terminals and CI jobs without changing any build; and ours.
    static let volatile: Set<String> = [
        "PWD", "OLDPWD", "SHLVL", "_", "TERM", "COLORTERM", "COLUMNS", "LINES", "DISPLAY", "WINDOWID", "TMUX",
        "TMUX_PANE", "STY", "SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_TTY",
        "HISTFILE", "WINDOWPATH", "VTE_VERSION", "INVOCATION_ID", "JOURNAL_STREAM", "LS_COLORS",
        "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB", "GITHUB_ACTION", "BUILD_NUMBER",
        "BUILD_ID", "CI_JOB_ID", "CI_PIPELINE_ID", "CI_JOB_URL", "CI_PIPELINE_URL", "RUNNER_NAME", "RUNNER_TRACKING_ID",
    ]
    static let volatilePrefixes = ["SWIFT_TESTCACHE_", "TERM_", "XDG_SESSION_", "LC_TERMINAL"]

    /// Whether a variable only tells one shell or CI job from another.
    static func isVolatile(_ name: String) -> Bool {
        volatile.contains(name) || volatilePrefixes.contains { name.hasPrefix($0) }
    }

    /// Whether a manifest's text mentions the environment in any of the ways a manifest can read it.
    static func mentionsEnvironment(_ manifest: [UInt8]) -> Bool {
        let text = String(decoding: manifest, as: UTF8.self)
        return text.contains("environment") || text.contains("getenv")
    }

    /// Adds the relevant variables (all but the volatile ones when `whole`) to a key, sorted by name.
    static func add(_ environment: [String: String], whole: Bool, to key: inout KeyHasher) {
        key.update(field: "environment", whole ? "whole" : "build variables")
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            let relevant = whole
                ? !isVolatile(name)
                : alwaysRelevant.contains(name) || relevantPrefixes.contains { name.hasPrefix($0) }
            if relevant { key.update(field: "env " + name, value) }
        }
    }
}
