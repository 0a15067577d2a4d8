import TestCacheStore

/// How SwiftPM is invoked: the same environment and options for `describe`, `resolve` and `build`.
enum SwiftPMInvocation {
    /// A SwiftPM command is not stopped for taking long: compiling and fetching are not the test's fault,
    /// and a day is beyond any build.
    static let timeout: Duration = .seconds(24 * 3_600)

    /// `swift package` with the run's package path, scratch path and traits, ready for a subcommand.
    static func packageCommand(_ configuration: EngineConfiguration) -> [String] {
        ["package", "--package-path", configuration.packagePath] + configuration.build.packageArguments
    }

    /// The environment SwiftPM runs in: the user's, with `_` naming `swift` as a shell sets it.
    ///
    /// SwiftPM keys its manifest cache and its build plan on the whole environment, and a shell sets `_`
    /// to the path of the command it runs. Left as it is, `_` would name swift-testcache, so each switch
    /// between the user's `swift build` and a run of this tool would re-evaluate manifests and re-plan the
    /// build: measured at 2.4 s of a 3.3 s no-op build, and 1 s of describing, on 130 targets.
    static func environment(_ configuration: EngineConfiguration, swiftPath: String) -> [String: String] {
        var environment = configuration.environment
        environment["_"] = swiftPath
        return environment
    }
}
