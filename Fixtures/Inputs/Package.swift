// swift-tools-version: 6.0
// Tests that read what lies outside their own target: a fixture file, a directory listing, a variable
// two ways, a file a child process reads; and one that reads nothing. (This manifest must not name the
// ways a manifest reads variables: swift-testcache would then key every build on all of them.)
import PackageDescription

let package = Package(
    name: "Inputs",
    targets: [
        .testTarget(name: "ReadsFileTests"),
        .testTarget(name: "ReadsEnvTests"),
        .testTarget(name: "ReadsProcessInfoTests"),
        .testTarget(name: "ListsDirectoryTests"),
        .testTarget(name: "ChildReadsTests"),
        .testTarget(name: "UnrelatedTests"),
    ]
)
