// swift-tools-version: 6.0
// What `watch` is driven through: a library of two files, a test target for each, and a target whose
// test sleeps while Fixtures/slow exists (a run long enough to press Ctrl-C in).
import PackageDescription

let package = Package(
    name: "Watch",
    targets: [
        .target(name: "Arithmetic"),
        .testTarget(name: "AddTests", dependencies: ["Arithmetic"]),
        .testTarget(name: "MultiplyTests", dependencies: ["Arithmetic"]),
        .testTarget(name: "SlowTests"),
    ]
)
