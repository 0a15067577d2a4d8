// swift-tools-version: 6.0
// What the machine-readable reports hold: XCTest and Swift Testing tests that pass, fail, are skipped,
// fail once and then pass (a marker file), or take a while when asked to (for an interrupted run).
import PackageDescription

let package = Package(
    name: "Reports",
    targets: [
        .target(name: "Answer"),
        .testTarget(name: "PassingTests", dependencies: ["Answer"]),
        .testTarget(name: "FailingTests", dependencies: ["Answer"]),
        .testTarget(name: "FlakyTests"),
        .testTarget(name: "SlowTests"),
    ]
)
