import ArgumentParser
import Foundation
import TestCacheCore
import Testing
@testable import TestCacheCommands
@testable import TestCacheRemote

@Suite struct ParsingTests {
    @Test func argumentsAfterTheSeparatorBecomeBinaryArguments() {
        #expect(carryingBinaryArguments(["-v", "T1", "--", "--flag", "x"]) == ["-v", "T1", "--binary-argument=--flag", "--binary-argument=x"])
        #expect(carryingBinaryArguments(["-v"]) == ["-v"])
        #expect(carryingBinaryArguments(["--", "--"]) == ["--binary-argument=--"])
    }

    @Test(arguments: [("10m", 600_000), ("90s", 90_000), ("1h30m", 5_400_000), ("1.5s", 1_500), ("250ms", 250)])
    func goDurationsParse(_ text: String, _ milliseconds: Int64) {
        #expect(parseGoDuration(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "10", "soon", "5x", "-1s", "0s"])
    func badDurationsDoNotParse(_ text: String) {
        #expect(parseGoDuration(text) == nil)
    }

    @Test func helpTestExplainsTheCacheAndListsTheCacheableOptions() throws {
        let help = SwiftTestCache.helpMessage(for: SwiftTestCache.Test.self, columns: 2_000)
        #expect(help.contains("USAGE: swift-testcache [test] [<options>] [<targets> ...] [-- <test-binary-arguments> ...]"))
        #expect(help.contains("Test results are cached."))
        #expect(help.contains("The cacheable test options are --filter, --skip, -v, --list, --timeout, --jobs, --retries, --enable-xctest and --enable-swift-testing;"))
        #expect(help.contains("--count 1 is the idiomatic way to bypass it"))
        for option in ["--package-path", "--configuration", "-Xswiftc", "-Xcc", "-Xlinker", "--scratch-path", "--filter", "--skip",
            "--verbose", "--list", "--jobs", "--timeout", "--count", "--no-cache", "-x", "--exec", "--retries", "--partition", "--json",
            "--junit-xml", "--no-annotations", "-Xcxx", "--triple", "--sdk", "--toolchain", "--swift-sdk", "--sanitize", "--traits",
            "--enable-all-traits", "--disable-default-traits", "--disable-testable-imports", "--disable-xctest", "--disable-swift-testing",
            "--enable-code-coverage", "--coverage-output", "--build-system"] {
            #expect(help.contains(option), "help lists \(option)")
        }
        // Among the build options, as SwiftPM has it, each value once.
        let build = try #require(help.range(of: "\nBUILD OPTIONS:\n")).upperBound
        let traits = try #require(help.range(of: "\nTRAIT OPTIONS:\n")).lowerBound
        #expect(help[build..<traits].contains("--build-system <build-system>"), "\(help)")
        #expect(help.components(separatedBy: "native, swiftbuild").count == 2, "\(help)")
        #expect(!help.contains("--binary-argument"))
        // Grouped as `swift test --help` groups them.
        let groups = ["PATHS & LOCATIONS:", "BUILD OPTIONS:", "TRAIT OPTIONS:", "OPTIONS:"].map { help.range(of: "\n" + $0 + "\n")?.lowerBound }
        #expect(groups.allSatisfy { $0 != nil } && groups.map { $0! } == groups.map { $0! }.sorted(), "\(help)")
        let options = try #require(help.range(of: "\nOPTIONS:\n")).upperBound
        for flag in ["--enable-xctest/--disable-xctest", "--enable-code-coverage/--disable-code-coverage", "--filter", "--skip"] {
            #expect(help[options...].contains(flag), "\(flag) is among OPTIONS")
        }
    }

    @Test func anUnknownBuildSystemIsAUsageError() throws {
        let test = try #require(try SwiftTestCache.parseAsRoot(["--build-system", "swiftbuild"]) as? SwiftTestCache.Test)
        #expect(test.build.buildSystem?.system == .swiftbuild)
        #expect(throws: (any Error).self) { try SwiftTestCache.parseAsRoot(["--build-system", "xcode"]) }
    }

    @Test func testIsTheDefaultSubcommandAndParsesItsOptions() throws {
        let command = try SwiftTestCache.parseAsRoot(["--filter", "a", "-Xswiftc", "-DX", "-j", "3", "T1", "T2", "--binary-argument=--x"])
        let test = try #require(command as? SwiftTestCache.Test)
        #expect(test.targets == ["T1", "T2"])
        #expect(test.binaryArguments == ["--x"])
        #expect(test.test.filter == ["a"] && test.test.jobs == 3)
        #expect(test.build.swiftcFlags == ["-DX"])
    }

    @Test func explainTakesTheOptionsOfARunSinceTheyArePartOfTheKeys() throws {
        let command = try SwiftTestCache.parseAsRoot(["explain", "--package-path", "P", "-c", "release", "--filter", "a", "T1"])
        let explain = try #require(command as? SwiftTestCache.Explain)
        #expect(explain.targets == ["T1"])
        #expect(explain.locations.packagePath == "P" && explain.build.configuration == .release)
        #expect(explain.test.filter == ["a"])
        let help = SwiftTestCache.helpMessage(for: SwiftTestCache.Test.self, columns: 2_000)
        #expect(help.contains(".swift-testcache.json") && help.contains("'swift-testcache explain'"))
    }

    @Test func remoteCacheOptionsAndVariables() throws {
        let command = try SwiftTestCache.parseAsRoot([
            "--remote-cache", "http://127.0.0.1:9/cache", "--remote-cache-header", "Authorization: Bearer x",
            "--remote-cache-read-only",
        ])
        let test = try #require(command as? SwiftTestCache.Test)
        let cache = try #require(try test.remote.cache(environment: ["SWIFT_TESTCACHE_REMOTE_KEY": "k", "SWIFT_TESTCACHE_REMOTE_TIMEOUT": "2s"]))
        #expect(cache.configuration.baseURL == "http://127.0.0.1:9/cache")
        #expect(cache.configuration.headers == ["Authorization: Bearer x"])
        #expect(cache.configuration.readOnly)
        #expect(cache.configuration.signingKey == Array("k".utf8))
        #expect(cache.configuration.requestTimeout == .seconds(2) && cache.configuration.connectTimeout == .seconds(2))

        let none = try #require(try SwiftTestCache.parseAsRoot([]) as? SwiftTestCache.Test)
        #expect(try none.remote.cache(environment: [:]) == nil)
        let fromEnvironment = try #require(try none.remote.cache(environment: [
            "SWIFT_TESTCACHE_REMOTE_CACHE": "https://cache.example.com", "SWIFT_TESTCACHE_REMOTE_HEADER": "X-Token: t",
        ]))
        #expect(fromEnvironment.configuration.headers == ["X-Token: t"])
        #expect(fromEnvironment.configuration.readOnly == false)

        for environment in [
            ["SWIFT_TESTCACHE_REMOTE_CACHE": "ftp://host"], ["SWIFT_TESTCACHE_REMOTE_CACHE": "http://h", "SWIFT_TESTCACHE_REMOTE_KEY": ""],
            ["SWIFT_TESTCACHE_REMOTE_CACHE": "http://h", "SWIFT_TESTCACHE_REMOTE_TIMEOUT": "soon"],
            ["SWIFT_TESTCACHE_REMOTE_CACHE": "http://h", "SWIFT_TESTCACHE_REMOTE_HEADER": "no colon"],
        ] {
            #expect(throws: ExitCode(2), "\(environment)") { try none.remote.cache(environment: environment) }
        }
    }
}
