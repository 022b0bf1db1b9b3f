#!/usr/bin/env bash
# Serving benchmark: the HTTP server (./tfrnn serve) driven over loopback by a separate load-
# generator process, against the same SavedModel called directly from Python TensorFlow (the
# baseline) and through the Java Predictor library; then the server's RSS over 100,000 requests.
#
#   bench/serve/run.sh [--model DIR] [--seconds S] [--leak-requests N] [--concurrency 1,4]
#
# --model: a SavedModel directory or a base path of numbered versions (default: a copy of the
#   savedmodels/py-static-lstm fixture). The requests are MNIST test images [-1, 28, 28].
# --seconds: measuring time per cell (default 10), after a 2 s warm-up.
# Needs Java 17 (a JDK) and python/.venv (created by python/setup_venv.sh if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

model=savedmodels/py-static-lstm
seconds=10
warmup=2
leak_requests=100000
concurrency=1,4
batch_sizes=1,8,64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="${2:?--model needs a directory}"; shift 2 ;;
    --seconds) seconds="${2:?}"; shift 2 ;;
    --leak-requests) leak_requests="${2:?}"; shift 2 ;;
    --concurrency) concurrency="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
images=savedmodels/py-static-lstm/expected/inputs.npy

source scripts/build.sh
tfrnn_require_java17 --jdk
tfrnn_build
classpath="$(tfrnn_classpath)"
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$classpath" bench/serve/PredictorDirect.java
[[ -x python/.venv/bin/python ]] || python/setup_venv.sh >&2

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The model as a base path of versions, and the version directory the direct callers load.
if [[ -f "$model/saved_model.pb" ]]; then
  mkdir -p "$work/base"
  ln -s "$(cd "$model" && pwd)" "$work/base/1"
  base="$work/base"
  version_dir="$model"
else
  base="$model"
  version="$(ls "$base" | grep -E '^[0-9]+$' | sort -n | tail -1)"
  version_dir="$base/$version"
fi

results="$work/results.jsonl"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/Mem:/ {print $2}') GiB RAM; $(java -version 2>&1 | head -1)" >&2
echo "model: $version_dir" >&2

# 1. The server, with its heap committed up front (-Xms = -Xmx, pre-touched) so that RSS growth
#    can only be native memory.
TFRNN_JAVA_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch" ./tfrnn serve --model-name bench \
  --model-base-path "$base" --port 0 >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 600); do
  url="$(grep -o 'at http://[^ ]*' "$work/server.log" | head -1 | cut -c4- || true)"
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "server: pid $server_pid, $url" >&2

# 2. The load generator: its own JVM, on loopback.
java -Xmx1g bench/serve/LoadGenerator.java --url "$url" --images "$images" \
  --server-pid "$server_pid" --batch-sizes "$batch_sizes" --concurrency "$concurrency" \
  --seconds "$seconds" --warmup-seconds "$warmup" --leak-requests "$leak_requests" \
  | tee -a "$results" >&2

kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""

# 3. The same model without HTTP: the Java Predictor library, then Python TensorFlow (baseline).
TF_CPP_MIN_LOG_LEVEL=1 java -Xmx1g -cp "target/bench-classes:$classpath" PredictorDirect \
  "$version_dir" "$images" "$batch_sizes" "$seconds" "$warmup" | tee -a "$results" >&2
python/.venv/bin/python bench/serve/python_direct.py "$version_dir" "$images" \
  --batch-sizes "$batch_sizes" --seconds "$seconds" --warmup "$warmup" | tee -a "$results" >&2

echo >&2
python3 bench/serve/report.py "$results"
