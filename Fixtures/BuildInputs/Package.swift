// swift-tools-version: 6.0
// What the build reads beyond the targets' own directories: a header at the package root reached
// through a header search path, a build tool plugin's declared input, a variable the manifest turns
// into a compile-time define, and a prebuilt library the linker finds through an unsafe `-L` flag
// (vendor/lib/libvendor.a, which the tests make from vendor/vendor.c before the first build) into
// VendorTool, an executable that a test runs and that reads the shared header too.
import PackageDescription

// The manifest reads one variable by name: only it, not the rest of the environment, can change the build.
let featureOn = Context.environment["STC_FEATURE"] == "on"

let package = Package(
    name: "BuildInputs",
    targets: [
        .target(name: "CValue", cSettings: [.headerSearchPath("../../include")]),
        .executableTarget(name: "GenTool"),
        .plugin(name: "GenPlugin", capability: .buildTool(), dependencies: ["GenTool"]),
        .target(name: "Generated", plugins: ["GenPlugin"]),
        .target(name: "Defined", swiftSettings: featureOn ? [.define("FEATURE_ON")] : []),
        .target(
            name: "CVendor", cSettings: [.headerSearchPath("../../include")],
            linkerSettings: [.linkedLibrary("vendor"), .unsafeFlags(["-Lvendor/lib"])]),
        .executableTarget(name: "VendorTool", dependencies: ["CVendor"]),
        .testTarget(name: "HeaderTests", dependencies: ["CValue"]),
        .testTarget(name: "PluginTests", dependencies: ["Generated"]),
        .testTarget(name: "DefineTests", dependencies: ["Defined"]),
        .testTarget(name: "LinkerTests"),
        .testTarget(name: "UnrelatedTests"),
    ]
)
