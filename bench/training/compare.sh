#!/usr/bin/env bash
# Training step time of Java (static unroll, while loop, fast unroll; in ./tfrnn train's batch lanes
# and, for static and while, in one lane: the notebook's graph op for op) against Python TensorFlow
# (static_rnn, dynamic_rnn) on the same notebook models and Keras 3 LSTM fit, alternated in rounds:
#   bench/training/compare.sh                 # full run (20 rounds x 10 steps), ~5 min idle
#   bench/training/compare.sh --profile 20    # where a step's op time goes (traced steps)
#   bench/training/compare.sh --quick         # smoke run (1 round x 5 steps)
#   bench/training/compare.sh --threads 2,1 --rows lstm-b128 --skip keras --rounds 3   # one setting for all
#   bench/training/compare.sh --rows lstm-b128 --also java_fast_1lane   # the fast path in one lane too
#   bench/training/compare.sh --lanes 4 --rows lstm-b128                # other lanes for the Java columns
# Python comes from python/.venv, Java from the pom: whatever versions those pin.
# Takes /tmp/bench.lock (BENCH_LOCK overrides) so that two benchmarks never run at once; do not
# wrap it in another flock on the same file.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x python/.venv/bin/python ]] || { echo "compare.sh: python/.venv is missing (python/setup_venv.sh)" >&2; exit 1; }
[[ -d data/mnist ]] || { echo "compare.sh: data/mnist is missing (./tfrnn fetches it on first train)" >&2; exit 1; }
source scripts/build.sh
tfrnn_require_java17 --jdk
tfrnn_build
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$(tfrnn_classpath)" bench/training/JavaTrainWorker.java
lock="${BENCH_LOCK:-/tmp/bench.lock}"
exec 9>>"$lock"
flock -n 9 || { echo "compare.sh: waiting for $lock (another benchmark is running)" >&2; flock 9; }
python/.venv/bin/python bench/training/compare.py "$@"
