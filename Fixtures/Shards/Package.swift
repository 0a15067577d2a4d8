// swift-tools-version: 6.0
// Skewed durations for `--partition time:K/N`: three slow targets (1s, 1s, 0.6s) among six quick ones
// (0.1s each), 3.2s in all. Over three shards, 1.1 / 1.1 / 1.0 (each slow target with quick ones) is
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
