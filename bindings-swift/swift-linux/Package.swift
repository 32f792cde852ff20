// swift-tools-version:6.0
// The Swift package AgentRules for Linux, built and tested by bindings-swift/scripts/test-swift:
// the same generated sources and XCTests as the Apple package (../swift, symlinked), linked
// against the Rust crate's shared library instead of the XCFramework. The FFI headers come in
// as a system library (Sources/AgentRulesFFI/module.modulemap, generated, `link "agentrules_uniffi"`);
// pass the library's directory when building:
//   swift build -Xlinker -L<dir> -Xlinker -rpath -Xlinker <dir>     (<dir>: target/debug)
// AGENTRULES_SWIFT_MODE=5 builds in the Swift 5 language mode; the default is Swift 6.
import PackageDescription

let mode: SwiftLanguageMode = Context.environment["AGENTRULES_SWIFT_MODE"] == "5" ? .v5 : .v6

let package = Package(
    name: "AgentRules",
    products: [
        .library(name: "AgentRules", targets: ["AgentRules"]),
    ],
    targets: [
        .systemLibrary(name: "AgentRulesFFI", path: "Sources/AgentRulesFFI"),
        .target(name: "AgentRules", dependencies: ["AgentRulesFFI"], path: "Sources/AgentRules"),
        // The conformance runner: every corpus case, the SSE splits and the golden replay.
        .executableTarget(name: "Conformance", dependencies: ["AgentRules"], path: "Sources/Conformance"),
        .testTarget(name: "AgentRulesTests", dependencies: ["AgentRules"], path: "Tests/AgentRulesTests"),
    ],
    swiftLanguageModes: [mode]
)
