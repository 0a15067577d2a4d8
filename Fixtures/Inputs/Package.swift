// swift-tools-version: 6.0
// Tests that read what lies outside their own target: fixture files three ways, a directory listing, a
// variable two ways, a file a child process reads, a resource, an executable the package builds (which
// the manifest does not make a dependency); and one that reads nothing. (This manifest must not name the
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
        .testTarget(name: "ReadsResourceTests", resources: [.copy("resource.txt")]),
        .testTarget(name: "RunsToolTests"),
        .executableTarget(name: "greet"),
    ]
)
