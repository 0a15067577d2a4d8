// swift-tools-version: 6.0
// Tests that compare with snapshot files kept beside them, read through #filePath (as swift-argument-parser's
// are): data in a test target's directory that the build never compiles. And a target that reads nothing.
import PackageDescription

let package = Package(
    name: "Snapshots",
    targets: [
        .target(name: "Render"),
        .testTarget(name: "RenderTests", dependencies: ["Render"], exclude: ["Snapshots"]),
        .testTarget(name: "OtherTests"),
    ]
)
