// swift-tools-version: 6.0
// The demo package README's first command runs swift-testcache on: two libraries, an XCTest target and a
// Swift Testing target slow enough (about 2 seconds) that replaying it from the cache is visible.
import PackageDescription

let package = Package(
    name: "Demo",
    targets: [
        .target(name: "DemoCore"),
        .target(name: "DemoParser", dependencies: ["DemoCore"]),
        .testTarget(name: "DemoCoreTests", dependencies: ["DemoCore"]),
        .testTarget(name: "DemoParserTests", dependencies: ["DemoParser"]),
    ]
)
