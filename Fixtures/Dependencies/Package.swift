// swift-tools-version: 6.0
// A C target and a remote package (swift-log) under a Swift library and its tests.
import PackageDescription

let package = Package(
    name: "Dependencies",
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "CMath"),
        .target(name: "Logic", dependencies: ["CMath", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "LogicTests", dependencies: ["Logic"]),
    ]
)
