#!/usr/bin/env bash
# Training step time, while-loop unroll against static unroll, same model, same run.
#   bench/training/run.sh [PRESET ...]        (default: notebook-001 notebook-002)
#   BENCH_ROUNDS=5 BENCH_STEPS=40 BENCH_WARMUP=20 bench/training/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/build.sh
tfrnn_require_java17 --jdk
tfrnn_build
classpath="$(tfrnn_classpath)"
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$classpath" bench/training/TrainStepBench.java
TF_CPP_MIN_LOG_LEVEL=1 exec java -Xmx6g -cp "target/bench-classes:$classpath" \
  -Dbench.rounds="${BENCH_ROUNDS:-5}" -Dbench.steps="${BENCH_STEPS:-40}" \
  -Dbench.warmup="${BENCH_WARMUP:-20}" TrainStepBench "$@"
