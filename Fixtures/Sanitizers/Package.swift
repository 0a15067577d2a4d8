// swift-tools-version: 6.0
// Run with --sanitize address: SafeTests passes, OverflowTests writes past a heap buffer's end, which only
// AddressSanitizer reports (unsanitized, the write goes unnoticed).
import PackageDescription

let package = Package(
    name: "Sanitizers",
    targets: [
        .target(name: "Buffers"),
        .testTarget(name: "SafeTests", dependencies: ["Buffers"]),
        .testTarget(name: "OverflowTests", dependencies: ["Buffers"]),
    ]
)
