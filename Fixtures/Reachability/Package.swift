// swift-tools-version: 6.0
// What a test target's code can reach in a library it links, by every path a Swift program takes: a
// direct call or read, a protocol witness, a class's vtable, a type found by its name at run time. Each
// test target takes one path; `unused()` is reached by none.
import PackageDescription

let package = Package(
    name: "Reachability",
    targets: [
        .target(name: "Reach"),
        .testTarget(name: "DirectTests", dependencies: ["Reach"]),
        .testTarget(name: "WitnessTests", dependencies: ["Reach"]),
        .testTarget(name: "VTableTests", dependencies: ["Reach"]),
        .testTarget(name: "ByNameTests", dependencies: ["Reach"]),
    ]
)
