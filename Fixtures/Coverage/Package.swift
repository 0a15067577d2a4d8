// swift-tools-version: 6.0
// Two test targets that run known parts of one library, for --enable-code-coverage.
import PackageDescription

let package = Package(
    name: "Coverage",
    targets: [
        .target(name: "Shapes"),
        .testTarget(name: "SquareTests", dependencies: ["Shapes"]),
        .testTarget(name: "CircleTests", dependencies: ["Shapes"]),
    ]
)
