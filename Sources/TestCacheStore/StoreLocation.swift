/// Where the store lives, chosen from the environment.
public enum StoreLocation {
    /// The variable naming the store's directory; it must be an absolute path.
    public static let directoryVariable = EnvironmentVariable.directory
    /// The variable capping the store's size (`500M`, `2G`); unset means unlimited.
    public static let maxSizeVariable = EnvironmentVariable.maxSize

    /// `$SWIFT_TESTCACHE_DIR`, else `$XDG_CACHE_HOME/swift-testcache`, else `~/.cache/swift-testcache`.
    ///
    /// A relative `SWIFT_TESTCACHE_DIR` is an error (a store that moves with the working directory would
    /// silently split in two); a relative `XDG_CACHE_HOME` is ignored, as the XDG specification says.
    public static func directory(environment: [String: String]) throws(TestCacheError) -> String {
        if let explicit = environment[directoryVariable], !explicit.isEmpty {
            guard explicit.hasPrefix("/") else {
                throw TestCacheError(.store, "\(directoryVariable) must be an absolute path, not '\(explicit)'")
            }
            return trimmingTrailingSlashes(explicit)
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return trimmingTrailingSlashes(xdg) + "/swift-testcache"
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else {
            throw TestCacheError(.store, "cannot choose a cache directory: set \(directoryVariable) or HOME to an absolute path")
        }
        return trimmingTrailingSlashes(home) + "/.cache/swift-testcache"
    }

    /// The size cap from `SWIFT_TESTCACHE_MAX_SIZE`, or nil for unlimited.
    public static func maxSize(environment: [String: String]) throws(TestCacheError) -> Int64? {
        guard let text = environment[maxSizeVariable], !text.isEmpty else { return nil }
        guard let size = parseByteSize(text) else {
            throw TestCacheError(.store, 
                "\(maxSizeVariable) must be a size such as 500M or 2G (K, M, G, T are powers of 1024), not '\(text)'"
            )
        }
        return size
    }

    /// Parses `1234`, `10K`, `500M`, `2G`, `1T` (also `500MB`, `500MiB`, any case); nil for anything else.
    public static func parseByteSize(_ text: String) -> Int64? {
        var digits = Substring(text)
        while digits.first?.isWhitespace == true { digits.removeFirst() }
        while digits.last?.isWhitespace == true { digits.removeLast() }
        for suffix in ["ib", "b"] where digits.lowercased().hasSuffix(suffix) && digits.count > suffix.count {
            digits = digits.dropLast(suffix.count)
            break
        }
        let multipliers: [Character: Int64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var multiplier: Int64 = 1
        if let last = digits.last?.lowercased().first, let factor = multipliers[last] {
            multiplier = factor
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
