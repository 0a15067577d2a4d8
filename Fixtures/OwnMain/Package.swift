// swift-tools-version: 5.9
import PackageDescription

// A package whose own test entry point, Tests/LinuxMain.swift, is a test runner of its own (as Spectre's
// is): it runs the checks of AdderChecks itself, prints its own tally and exits 1 when one fails. It does
// not answer XCTest's options: like Spectre's, it refuses any option (exit 4), or, while a file named
// `lenient` is in the package, ignores its arguments and runs the checks anyway. `swift test` runs it with
// no arguments.
let package = Package(
    name: "OwnMain",
    targets: [
        .target(name: "Adder"),
        .testTarget(name: "AdderChecks", dependencies: ["Adder"]),
    ]
)
