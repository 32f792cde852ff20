#!/usr/bin/env bash
# Builds AgentRulesCore.xcframework for the Swift package (macOS with Xcode only; not run on the
# Linux CI). Static libraries for iOS devices, the iOS simulator (arm64 + x86_64) and macOS
# (arm64 + x86_64), each with the FFI headers and the module map from Headers/.
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin
#   bindings-swift/swift/build-xcframework.sh && swift build && swift test
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for t in "${targets[@]}"; do
  cargo build --locked -p agentrules-uniffi --lib --release --target "$t"
done
lib=libagentrules_uniffi.a
out="$root/target/xcframework"
rm -rf "$out" "$here/AgentRulesCore.xcframework"
mkdir -p "$out/ios-sim" "$out/macos"
lipo -create "target/aarch64-apple-ios-sim/release/$lib" "target/x86_64-apple-ios/release/$lib" -output "$out/ios-sim/$lib"
lipo -create "target/aarch64-apple-darwin/release/$lib" "target/x86_64-apple-darwin/release/$lib" -output "$out/macos/$lib"
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/release/$lib" -headers "$here/Headers" \
  -library "$out/ios-sim/$lib" -headers "$here/Headers" \
  -library "$out/macos/$lib" -headers "$here/Headers" \
  -output "$here/AgentRulesCore.xcframework"
echo "built $here/AgentRulesCore.xcframework"
