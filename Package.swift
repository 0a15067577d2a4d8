// swift-tools-version: 6.1
// swift-testcache: Go's test-result cache, re-created for SwiftPM packages.
//
// Dependencies run one way: TestCacheStore <- TestCacheCore <- TestCacheCommands <- swift-testcache,
// TestCacheStore <- TestCacheRemote <- TestCacheCommands: the engine knows a shared cache only by its protocol,
// and TestCacheReports <- TestCacheCore: per-test results and the formats CI reads know nothing of the cache.

import PackageDescription

/// Upcoming language features every target opts into, so that the whole code base reads one way.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-testcache",
    // macOS 15 is the first with the Synchronization module (Mutex) the store uses for its shared state.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swift-testcache", targets: ["swift-testcache"]),
        .library(name: "TestCacheStore", targets: ["TestCacheStore"]),
        // The read tracer, libTestCacheTrace.so, built beside the swift-testcache executable.
        .library(name: "TestCacheTrace", type: .dynamic, targets: ["TestCacheTrace"]),
    ],
    dependencies: [
        // SHA-256 for every key and output hash (BoringSSL on Linux, CryptoKit on Apple platforms).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The command line: subcommands, option groups, help screens.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Child processes: swift build and the test binaries, with merged output and SIGTERM-then-SIGKILL teardown.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // Content-addressed on-disk result store shared safely by many processes; knows nothing of Swift packages.
        .target(
            name: "TestCacheStore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // Per-test results read from XCTest's output and Swift Testing's event stream, and the reports CI
        // reads: Go's test2json stream, JUnit XML, GitHub Actions annotations and step summary.
        .target(
            name: "TestCacheReports",
            swiftSettings: strictSettings
        ),
        // The engine: package graph, keys, build, per-target test runs, reporting. No command-line parsing.
        .target(
            name: "TestCacheCore",
            dependencies: [
                "TestCacheStore",
                "TestCacheReports",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        // A shared cache over Bazel's HTTP remote-cache protocol (GET/PUT/HEAD on ac/ and cas/), signed and
        // verified; knows nothing of Swift packages.
        .target(
            name: "TestCacheRemote",
            dependencies: ["TestCacheStore", "TestCacheHTTP", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // HTTP requests through libcurl, loaded with dlopen on first use so that runs without a remote cache
        // do not pay for it at start-up.
        .target(name: "TestCacheHTTP"),
        // ArgumentParser commands and option groups; a library so tests can parse and run commands in-process.
        .target(
            name: "TestCacheCommands",
            dependencies: [
                "TestCacheCore",
                "TestCacheRemote",
                "TestCacheReports",
                "TestCacheStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // The executable: an @main shim over TestCacheCommands.
        .executableTarget(
            name: "swift-testcache",
            dependencies: ["TestCacheCommands"],
            swiftSettings: strictSettings
        ),
        // The read tracer: C, preloaded (LD_PRELOAD) into test processes to record the files, directories,
        // programs and environment variables they consult; it links nothing of ours.
        .target(name: "TestCacheTrace"),
        // Test support: reads files, directories and variables the ways Swift tests do, for the tracer's tests.
        .executableTarget(
            name: "testcache-reader",
            swiftSettings: strictSettings
        ),
        // Test support: a child process that hammers or crashes mid-write into a store, for the multi-process tests.
        .executableTarget(
            name: "testcache-torture",
            dependencies: ["TestCacheStore"],
            swiftSettings: strictSettings
        ),
        // Benchmark of the store's put, get, lookup and trim; run with `swift run -c release store-benchmark`.
        .executableTarget(
            name: "store-benchmark",
            dependencies: ["TestCacheStore"],
            path: "Benchmarks/StoreBenchmark",
            swiftSettings: strictSettings
        ),
        // Test support shared by the test targets: temporary directories, running built executables, a manual
        // clock, stores and keys.
        .target(
            name: "_TestSupport",
            dependencies: ["TestCacheStore"],
            path: "Tests/_TestSupport",
            swiftSettings: strictSettings
        ),
        // Unit, corruption and multi-process tests of the store against real temporary directories.
        .testTarget(
            name: "TestCacheStoreTests",
            dependencies: ["TestCacheStore", "_TestSupport"],
            swiftSettings: strictSettings
        ),
        // Fixture packages built with the real toolchain and tested with the real swift-testcache binary.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["_TestSupport"],
            swiftSettings: strictSettings
        ),
        // The remote cache against nginx with WebDAV and against a misbehaving server.
        .testTarget(
            name: "TestCacheRemoteTests",
            dependencies: ["TestCacheRemote", "TestCacheStore", "_TestSupport"],
            swiftSettings: strictSettings
        ),
        // The parsers of the testing libraries' output and the CI formats, against captured real output.
        .testTarget(
            name: "TestCacheReportsTests",
            dependencies: ["TestCacheReports", "_TestSupport"],
            exclude: ["Samples"],
            swiftSettings: strictSettings
        ),
        // Unit tests of the engine's parts: formatting, selection, records, package model, input hashing, keys.
        .testTarget(
            name: "TestCacheCoreTests",
            dependencies: ["TestCacheCore", "TestCacheReports", "TestCacheStore", "_TestSupport"],
            swiftSettings: strictSettings
        ),
        // The command line: parsing in-process, and the built swift-testcache binary run as a user runs it.
        .testTarget(
            name: "TestCacheCommandsTests",
            dependencies: [
                "TestCacheCommands", "TestCacheRemote", "TestCacheStore", "_TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Snapshots"],
            swiftSettings: strictSettings
        ),
    ]
)
