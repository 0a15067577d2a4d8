// swift-tools-version: 6.1
// A trait that compiles in a test: with `--traits Extra` the test target holds one more test.
import PackageDescription

let package = Package(
    name: "Traits",
    traits: [
        .trait(name: "Extra", description: "Compiles the extra feature and its test."),
    ],
    targets: [
        .target(name: "Feature", swiftSettings: [.define("EXTRA", .when(traits: ["Extra"]))]),
        .testTarget(
            name: "TraitTests", dependencies: ["Feature"], swiftSettings: [.define("EXTRA", .when(traits: ["Extra"]))]),
    ]
)
