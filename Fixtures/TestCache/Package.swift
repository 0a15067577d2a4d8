// swift-tools-version: 6.0
// The seed's TestTestCache scenario: T1 depends on nothing, T2 and T3 on P1 (T3 checks its value), T4 on
// P2, which depends on P1 without using its value.
import PackageDescription

let package = Package(
    name: "TestCache",
    targets: [
        .target(name: "P1"),
        .target(name: "P2", dependencies: ["P1"]),
        .testTarget(name: "T1Tests"),
        .testTarget(name: "T2Tests", dependencies: ["P1"]),
        .testTarget(name: "T3Tests", dependencies: ["P1"]),
        .testTarget(name: "T4Tests", dependencies: ["P2"]),
    ]
)
