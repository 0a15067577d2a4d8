import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheRemote
import TestCacheReports
import TestCacheStore

/// The engine's shared cache, served over Bazel's HTTP remote-cache protocol.
struct RemoteSharedCache: SharedCache {
    let remote: RemoteCache

    func fetch(_ keys: [ActionID], into store: ResultStore) async { await remote.fetch(keys, into: store) }
    func upload(_ key: ActionID, _ bytes: [UInt8]) { remote.upload(key, bytes) }
    func flush() async { await remote.flush() }

    var summary: String {
        let counters = remote.counters
        return "\(counters.hits) hits, \(counters.misses) misses, \(counters.uploads) uploads, \(counters.bytesDown) bytes down, "
            + "\(counters.bytesUp) bytes up, \(counters.failures) failures"
    }
}

/// Where the shared cache is; none of these changes a result or is part of a key.
struct RemoteCacheOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also look results up in, and upload new ones to, this cache speaking Bazel's HTTP remote-cache protocol (http:// or https://; user:password@ for Basic auth).",
        discussion: "Default: $\(EnvironmentVariable.remoteCache).", valueName: "url"))
    var remoteCache: String?

    @Option(help: ArgumentHelp(
        "A header for every request to the remote cache, such as 'Authorization: Bearer TOKEN'; repeatable.",
        discussion: "Default: $\(EnvironmentVariable.remoteHeader) (one header).", valueName: "header"))
    var remoteCacheHeader: [String] = []

    @Flag(help: "Look results up in the remote cache but upload none (pull requests read, main writes).")
    var remoteCacheReadOnly = false

    /// The remote cache these options and the environment name, or nil; a bad URL, header, key or
    /// timeout is a one-line error (exit 2).
    func cache(environment: [String: String]) throws -> RemoteCache? {
        guard let url = remoteCache ?? environment[EnvironmentVariable.remoteCache].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return nil
        }
        do throws(TestCacheError) {
            var configuration = try RemoteCacheConfiguration(url: url)
            configuration.headers = remoteCacheHeader.isEmpty
                ? environment[EnvironmentVariable.remoteHeader].map { [$0] } ?? [] : remoteCacheHeader
            for header in configuration.headers where !header.contains(":") || header.contains("\n") || header.contains("\r") {
                throw TestCacheError(.remoteCache, "a remote cache header must be one 'Name: value' line, not '\(header)'")
            }
            configuration.readOnly = remoteCacheReadOnly || ["1", "true", "yes"].contains(environment[EnvironmentVariable.remoteReadOnly] ?? "")
            if let key = environment[EnvironmentVariable.remoteKey] {
                guard !key.isEmpty else { throw TestCacheError(.remoteCache, "\(EnvironmentVariable.remoteKey) is set but empty") }
                configuration.signingKey = Array(key.utf8)
            }
            if let timeout = environment[EnvironmentVariable.remoteTimeout] {
                guard let duration = parseGoDuration(timeout) else {
                    throw TestCacheError(.remoteCache, "\(EnvironmentVariable.remoteTimeout) takes a duration such as 5s, not '\(timeout)'")
                }
                configuration.connectTimeout = min(configuration.connectTimeout, duration)
                configuration.requestTimeout = duration
                configuration.flushTimeout = duration
            }
            return RemoteCache(configuration, warn: { printWarning($0) })
        } catch {
            throw failing(error)
        }
    }
}
