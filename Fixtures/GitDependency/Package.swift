// swift-tools-version: 6.0
// An app whose test checks a value from a package it gets from a git repository. The test that uses this
// fixture makes that repository and puts its URL where DEPENDENCY_URL stands.
import PackageDescription

let package = Package(
    name: "GitDependency",
    dependencies: [
        .package(url: "DEPENDENCY_URL", from: "1.0.0"),
    ],
    targets: [
        .target(name: "App", dependencies: [.product(name: "Dep", package: "Dep")]),
        .testTarget(name: "AppTests", dependencies: ["App"]),
    ]
)
