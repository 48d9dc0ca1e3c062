#!/usr/bin/env bash
# Regenerates Sources/EyerissONNX/Generated/onnx.pb.swift from onnx.proto (copied from the
# `onnx` package on PyPI, version 1.23.2). Builds never run this: the output is committed.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift of the swift-protobuf version in
# Package.swift (swift build -c release --product protoc-gen-swift in a swift-protobuf checkout).
set -euo pipefail
cd "$(dirname "$0")"
plugin=${PROTOC_GEN_SWIFT:-protoc-gen-swift}
protoc --plugin=protoc-gen-swift="$(command -v "$plugin")" --swift_opt=Visibility=Internal \
    --swift_out=../../Sources/EyerissONNX/Generated onnx.proto
