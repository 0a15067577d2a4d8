// swift-tools-version: 6.0
import PackageDescription

// Results cached per test: each test reaches the library its own way, and writes its name to the file
// PERTEST_LOG names when it runs, so the integration test sees which tests really ran.
let package = Package(
    name: "PerTest",
    targets: [
        .target(name: "Calc"),
        .target(name: "RunLog", path: "Tests/RunLog"),
        .testTarget(name: "CalcTests", dependencies: ["Calc", "RunLog"]),
        .testTarget(name: "ShapesTests", dependencies: ["Calc", "RunLog"]),
        .testTarget(name: "OrderedTests", dependencies: ["Calc", "RunLog"]),
    ]
)
