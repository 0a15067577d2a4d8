// swift-tools-version: 6.0
// One package for the run-time behaviours: filters and skips, a test past its timeout (one that ignores
// SIGTERM too), a crashing test,
// a target without tests, a target whose resource its test reads, an exit test, and a test that edits a
// file of its own target while it runs.
import PackageDescription

let package = Package(
    name: "Behaviours",
    targets: [
        .target(name: "Values"),
        .testTarget(name: "FilterTests", dependencies: ["Values"]),
        .testTarget(name: "SlowTests"),
        .testTarget(name: "StubbornTests"),
        .testTarget(name: "CrashTests"),
        .testTarget(name: "NoTests"),
        .testTarget(name: "ResourceTests", resources: [.copy("Resources/expected.txt")]),
        .testTarget(name: "ExitTests"),
        .testTarget(name: "SelfEditTests", exclude: ["notes.txt"]),
    ]
)
