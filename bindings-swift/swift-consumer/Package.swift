// swift-tools-version:6.0
// A consumer check: an app-like executable that depends on the AgentRules package by path, as an
// app's own package would, and validates a launch body before sending it. Built and run by
// bindings-swift/scripts/test-swift against the Linux package (../swift-linux).
import PackageDescription

let package = Package(
    name: "LaunchForm",
    dependencies: [
        .package(name: "AgentRules", path: "../swift-linux"),
    ],
    targets: [
        .executableTarget(name: "LaunchForm", dependencies: [.product(name: "AgentRules", package: "AgentRules")]),
    ]
)
