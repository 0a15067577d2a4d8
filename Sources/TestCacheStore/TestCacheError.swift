/// Every error swift-testcache reports to its user: what kind of trouble it is, a one-line message, and
/// what caused it, when another error did.
///
/// The modules throw only this, so that the command layer decides in one place what each kind means for
/// the exit status (``Code``), and tests match on the kind rather than on the words.
public struct TestCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of trouble it is.
    public enum Code: String, Sendable, Equatable {
        /// An option or argument the tool cannot take (`--partition time:0/3`, a bad regular expression).
        case usage
        /// The package cannot be loaded: not a package, a manifest that does not evaluate, dependencies
        /// that do not resolve, a test target it does not have.
        case package
        /// `.swift-testcache.json` is not what it must be.
        case settings
        /// The toolchain cannot be found or used, or SwiftPM refused the build's options.
        case toolchain
        /// The build did not make what the tests need (no test binary, a listing that failed).
        case build
        /// The store's location or size limit is not usable.
        case store
        /// The store could not be changed as asked (an expiry mark, a removal).
        case storeWrite
        /// The remote cache's URL, headers, key or timeout are not usable.
        case remoteCache
    }

    public var code: Code
    /// One line for the user.
    public var message: String
    /// What another error said, when one caused this.
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map { "\($0)" }
    }

    public var description: String { message }
}
