// swift-tools-version: 6.0
// Skewed durations for `--partition time:K/N`: three slow targets (2s, 2s, 1.2s) among six quick ones
// (0.2s each), 6.4s in all. Over three shards, 2.2 / 2.2 / 2.0 (each slow target with quick ones) is
// within 4% of the average; each test sleeps, so its time does not depend on the machine's load.
import PackageDescription

let package = Package(
    name: "Shards",
    targets: [
        .testTarget(name: "QuickATests"),
        .testTarget(name: "SlowATests"),
        .testTarget(name: "QuickBTests"),
        .testTarget(name: "QuickCTests"),
        .testTarget(name: "SlowBTests"),
        .testTarget(name: "QuickDTests"),
        .testTarget(name: "SlowCTests"),
        .testTarget(name: "QuickETests"),
        .testTarget(name: "QuickFTests"),
    ]
)
