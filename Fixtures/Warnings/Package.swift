// swift-tools-version: 6.0
import PackageDescription

// Swift Testing's warning issues (`Issue.record(_:severity: .warning)`, Swift 6.3): one test records a
// warning and passes; another handles the issues of a closure with an IssueHandlingTrait and expects to
// see the warning it records, as swift-property-based's tests do. Under `swift test` both pass; a runner
// that asks for an event stream older than 6.3 turns warning issues off, and the second fails.
// OrderTests' second test passes alone but fails after the first in one process, as `swift test` runs them.
let package = Package(
    name: "Warnings",
    targets: [
        .target(name: "Gauge"),
        .testTarget(name: "GaugeTests", dependencies: ["Gauge"]),
        .testTarget(name: "OrderTests", dependencies: ["Gauge"]),
    ]
)
