#!/usr/bin/env bash
# Generates the Java classes and gRPC stubs of TensorFlow Serving's API (src/main/proto) with
# protoc and protoc-gen-grpc-java, both fetched by Maven as artifacts (see pom.xml). The
# TensorFlow messages they import (TensorProto, SignatureDef, ...) are not generated again: their
# descriptors come from TF Java's own classes, so the generated code uses org.tensorflow.proto.
#
# usage: protoc.sh TOOLS_DIR CLASSPATH OUT_DIR
set -euo pipefail
tools=$1 classpath=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
chmod +x "$tools/protoc.exe" "$tools/protoc-gen-grpc-java.exe"
java -cp "$classpath" "$root/build/TensorFlowDescriptors.java" "$tools/tensorflow.binpb"
rm -rf "$out" && mkdir -p "$out"
cd "$root/main/proto"
"$tools/protoc.exe" --descriptor_set_in="$tools/tensorflow.binpb" --proto_path=. \
  --plugin=protoc-gen-grpc-java="$tools/protoc-gen-grpc-java.exe" \
  --java_out="$out" --grpc-java_out="$out" \
  $(find tensorflow_serving -name '*.proto' | sort)
