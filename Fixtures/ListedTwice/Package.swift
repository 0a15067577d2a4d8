// swift-tools-version: 5.9
import PackageDescription

// A package from before test discovery: its own test entry point, Tests/LinuxMain.swift, lists the XCTest
// tests, and lists ShoutTests twice (through the generated XCTestManifests.swift and through the class's own
// `allTests`), so the binary lists and runs each of its tests twice, as `swift test` does. With the entry
// point there, Swift Testing's test in CountTests is not run. Each test appends its name to the file
// LISTED_LOG names, so the integration test sees what really ran. Swift 5 mode: the `allTests` lists are
// the pre-concurrency kind.
let package = Package(
    name: "ListedTwice",
    targets: [
        .target(name: "Words"),
        .testTarget(name: "WordsTests", dependencies: ["Words"]),
        .testTarget(name: "CountTests", dependencies: ["Words"]),
    ]
)
