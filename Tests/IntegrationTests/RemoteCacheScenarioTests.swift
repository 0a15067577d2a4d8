import Foundation
import Testing
import _TestSupport

extension IntegrationTests {
    /// A team's shared cache end to end: nginx with WebDAV, two checkouts at different paths, two local stores.
    @Suite(.enabled(if: isLinux, "the fixture's tests are traced")) struct RemoteCacheScenarioTests {
        /// Natively only: the protocol and which key a store trusts do not depend on the build system, and
        /// that keys hold across checkouts under Swift Build is TestCacheScenario's (CI's 15 minutes).
        @Test func aSecondCheckoutWithItsOwnStoreIsServedEntirelyByWhatTheFirstUploaded() throws {
            let buildSystem = "native"
            let nginx = try NginxServer()
            let first = try Fixture("Inputs", checkout: "ci-machine-one", buildSystem: buildSystem)
            let second = try Fixture("Inputs", checkout: "elsewhere/developer-laptop", buildSystem: buildSystem)
            let environment = [
                "SWIFT_TESTCACHE_REMOTE_CACHE": nginx.url, "SWIFT_TESTCACHE_REMOTE_KEY": "team secret",
                "SWIFT_TESTCACHE_DEBUG": "remote",
            ]

            let upload = try first.run("-x", environment: environment)
            #expect(upload.status == 0 && upload.ranBuild, upload.transcript)
            #expect(upload.summaries.count == InputTests.names.count, upload.transcript)
            #expect(upload.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, upload.transcript)
            #expect(upload.stderr.contains("swift-testcache: remote cache: 0 hits"), upload.transcript)
            #expect(!upload.stderr.contains("warning"), upload.transcript)
            let uploaded = try FileManager.default.contentsOfDirectory(atPath: nginx.data + "/ac")
            #expect(uploaded.count >= InputTests.names.count, "an input list and a result per target, at least")

            let served = try second.run("-x", environment: environment)
            #expect(served.status == 0, served.transcript)
            #expect(served.summaries == InputTests.names.map { "ok  \t\($0)\t(cached)" }, served.transcript)
            #expect(!served.ranBuild && !served.ranTests, served.transcript)
            #expect(served.stderr.contains("0 uploads"), served.transcript)

            // The second store now holds them: with the server gone, everything is still cached, and a server
            // that is never needed is never asked.
            let serverless = try second.run(environment: ["SWIFT_TESTCACHE_REMOTE_CACHE": "http://127.0.0.1:\(try freeLoopbackPort())"])
            #expect(serverless.summaries == served.summaries, serverless.transcript)
            #expect(!serverless.stderr.contains("warning"), serverless.transcript)

            // A store that trusts another key takes none of the records and runs everything, with one warning.
            let third = try Fixture("Inputs", checkout: "third")
            var otherKey = environment
            otherKey["SWIFT_TESTCACHE_REMOTE_KEY"] = "another secret"
            let untrusted = try third.run("-x", environment: otherKey)
            #expect(untrusted.status == 0 && untrusted.ranBuild, untrusted.transcript)
            #expect(untrusted.summaries.allSatisfy { !$0.hasSuffix("(cached)") }, untrusted.transcript)
            #expect(untrusted.stderr.split(separator: "\n").filter { $0.contains("warning:") }.count == 1, untrusted.transcript)
        }
    }
}
