#!/usr/bin/env bash
# Serving benchmark: ./tfrnn serve driven over loopback by separate load-generator processes.
#
#   bench/serve/run.sh [--sections rest,protocols,direct,batching,switches] [--model DIR]
#                      [--seconds S] [--rounds N] [--leak-requests N] [--concurrency 1,4]
#                      [--batching-clients 16] [--batching-parameters FILE] [--switches 200]
#
# Sections (default: all, in this order):
#   rest      REST :predict at batch 1, 8, 64 with 1 and 4 clients, then the server's RSS over
#             --leak-requests batch-1 requests (the baseline of BENCHMARKS.md's serving section);
#   protocols gRPC against REST on the same server and model, batch 1, 8, 64, one client,
#             the two sides alternated in --rounds rounds;
#   direct    the same model without a server: the Java Predictor in-process, and Python
#             TensorFlow (the baseline of the rest section's ratios);
#   batching  --batching-clients concurrent batch-1 gRPC clients against two servers, one started
#             with --enable_batching --batching_parameters_file=FILE and one without, alternated
#             in --rounds rounds (both with --threads equal to the clients);
#   switches  a server whose model gets a new version --switches times (a copy of the model in
#             the next version number), its VmRSS after each switch, while 2 gRPC clients keep
#             predicting (every failure counted).
# --model: a SavedModel directory or a base path of numbered versions (default: the
#   savedmodels/py-static-lstm fixture). The requests are MNIST test images [-1, 28, 28].
# --seconds: measuring time per cell (default 10 for rest and direct, 5 per side and round for
#   protocols and batching), after a warm-up. --batching-parameters: TensorFlow Serving's text
#   BatchingParameters (default: max_batch_size 16, batch_timeout_micros 2000,
#   num_batch_threads 2, max_enqueued_batches 100).
# Takes /tmp/bench.lock (BENCH_LOCK overrides) after building, so that two benchmarks never run
# at once; do not wrap it in another flock on the same file. Needs Java 17 (a JDK) and
# python/.venv (created by python/setup_venv.sh if missing) for the direct section.
set -euo pipefail
cd "$(dirname "$0")/../.."

sections=rest,protocols,direct,batching,switches
model=savedmodels/py-static-lstm
seconds=""
warmup=2
rounds=3
leak_requests=100000
concurrency=1,4
batch_sizes=1,8,64
batching_clients=16
batching_parameters=""
switches=200
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sections) sections="${2:?--sections needs a list}"; shift 2 ;;
    --model) model="${2:?--model needs a directory}"; shift 2 ;;
    --seconds) seconds="${2:?}"; shift 2 ;;
    --rounds) rounds="${2:?}"; shift 2 ;;
    --leak-requests) leak_requests="${2:?}"; shift 2 ;;
    --concurrency) concurrency="${2:?}"; shift 2 ;;
    --batching-clients) batching_clients="${2:?}"; shift 2 ;;
    --batching-parameters) batching_parameters="${2:?}"; shift 2 ;;
    --switches) switches="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for section in ${sections//,/ }; do
  case "$section" in
    rest|protocols|direct|batching|switches) ;;
    *) echo "run.sh: unknown section '$section' in --sections" \
         "(rest, protocols, direct, batching, switches)" >&2; exit 2 ;;
  esac
done
want() { [[ ",$sections," == *",$1,"* ]]; }
images=savedmodels/py-static-lstm/expected/inputs.npy

source scripts/build.sh
tfrnn_require_java17 --jdk
tfrnn_build
classpath="$(tfrnn_classpath)"
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$classpath" bench/serve/*.java
bench_java() { java -Xmx1g -cp "target/bench-classes:$classpath" "$@"; }
if want direct; then [[ -x python/.venv/bin/python ]] || python/setup_venv.sh >&2; fi

work="$(mktemp -d)"
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

lock="${BENCH_LOCK:-/tmp/bench.lock}"
exec 9>>"$lock"
flock -n 9 || { echo "run.sh: waiting for $lock (another benchmark is running)" >&2; flock 9; }

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
# The load average before and after each section: the machine is shared, so say how busy it was.
note_load() {
  printf '{"kind":"load","when":"%s","utc":"%s","loadavg":"%s"}\n' "$1" \
    "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results" >&2
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/Mem:/ {print $2}') GiB RAM; $(java -version 2>&1 | head -1);" \
  "$(grep -o 'tensorflow-core-native-[0-9.]*' target/runtime-classpath.txt | head -1)" >&2
echo "model: $version_dir; $(date -u '+%Y-%m-%d %H:%M UTC')" >&2

# Starts ./tfrnn serve NAME on base path BASE with more flags; sets server_pid, rest_url and
# grpc_port. Returns 1 (printing the server's log) if it exits instead of serving.
start_server() {
  local name="$1" model_base="$2" log="$work/server-$1.log"
  shift 2
  ./tfrnn serve --model_name=bench --model_base_path="$model_base" --rest_api_port=0 --port=0 \
    "$@" >"$log" 2>&1 &
  server_pid=$!
  server_pids+=("$server_pid")
  rest_url=""
  for _ in $(seq 1200); do
    rest_url="$(grep -o 'at http://[^ ]*' "$log" | head -1 | cut -c4- || true)"
    [[ -n "$rest_url" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the $name server exited:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.1
  done
  [[ -n "$rest_url" ]] || { echo "the $name server did not start:" >&2; cat "$log" >&2; return 1; }
  grpc_port="$(grep -o 'gRPC at [^)]*' "$log" | head -1 | sed 's/.*://')"
  echo "$name server: pid $server_pid, $rest_url, gRPC port $grpc_port" >&2
}
stop_server() {
  kill -TERM "$1"
  wait "$1" || true
}

# 1. REST, then gRPC against REST, on one server whose heap is committed up front (-Xms = -Xmx,
#    pre-touched) so that RSS growth can only be native memory.
if want rest || want protocols; then
  TFRNN_JAVA_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch" start_server main "$base"
  if want rest; then
    note_load "rest start"
    bench_java LoadGenerator --url "$rest_url" --images "$images" --server-pid "$server_pid" \
      --batch-sizes "$batch_sizes" --concurrency "$concurrency" --seconds "${seconds:-10}" \
      --warmup-seconds "$warmup" --leak-requests "$leak_requests" | tee -a "$results" >&2
  fi
  if want protocols; then
    note_load "protocols start"
    bench_java AlternatingSides --kind protocol --model bench --images "$images" \
      --sides "rest=rest@$rest_url,grpc=grpc@$grpc_port" --batch-sizes "$batch_sizes" \
      --rounds "$rounds" --seconds "${seconds:-5}" --warmup-seconds 1 | tee -a "$results" >&2
  fi
  stop_server "$server_pid"
fi

# 2. The same model without a server: the Java Predictor library, then Python TensorFlow.
if want direct; then
  note_load "direct start"
  TF_CPP_MIN_LOG_LEVEL=1 bench_java PredictorDirect \
    "$version_dir" "$images" "$batch_sizes" "${seconds:-10}" "$warmup" | tee -a "$results" >&2
  python/.venv/bin/python bench/serve/python_direct.py "$version_dir" "$images" \
    --batch-sizes "$batch_sizes" --seconds "${seconds:-10}" --warmup "$warmup" \
    | tee -a "$results" >&2
fi

# 3. Batching on and off: two servers on the same model, the same threads; one client process
#    alternates between them.
if want batching; then
  if [[ -z "$batching_parameters" ]]; then
    batching_parameters="$work/batching_parameters.txt"
    cat >"$batching_parameters" <<'PARAMS'
max_batch_size { value: 16 }
batch_timeout_micros { value: 2000 }
num_batch_threads { value: 2 }
max_enqueued_batches { value: 100 }
PARAMS
  fi
  if start_server batching-off "$base" --threads="$batching_clients"; then
    off_port="$grpc_port"; off_pid="$server_pid"
    if start_server batching-on "$base" --threads="$batching_clients" --enable_batching \
        --batching_parameters_file="$batching_parameters"; then
      on_pid="$server_pid"
      printf '{"kind":"batching-parameters","text":"%s"}\n' \
        "$(grep -v '^ *$' "$batching_parameters" | tr '\n' ';' | sed 's/"/\\"/g')" >>"$results"
      note_load "batching start"
      bench_java AlternatingSides --kind batching --model bench --images "$images" \
        --sides "off=grpc@$off_port,on=grpc@$grpc_port" --batch-sizes 1 \
        --concurrency "$batching_clients" --rounds "$rounds" --seconds "${seconds:-5}" \
        --warmup-seconds 1 | tee -a "$results" >&2
      stop_server "$on_pid"
    else
      echo "run.sh: batching section skipped: the server refused --enable_batching" >&2
      echo '{"kind":"batching-skipped"}' >>"$results"
    fi
    stop_server "$off_pid"
  fi
fi

# 4. Hot version switches: the server polls its base path every 0.1 s; the versions are copies.
if want switches; then
  mkdir -p "$work/switch-base/1"
  cp -r "$version_dir/saved_model.pb" "$version_dir/variables" "$work/switch-base/1/"
  TFRNN_JAVA_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch" start_server switches \
    "$work/switch-base" --file_system_poll_wait_seconds=0.1
  note_load "switches start"
  bench_java VersionSwitches --base "$work/switch-base" --fixture "$version_dir" \
    --grpc-port "$grpc_port" --model bench --images "$images" --server-pid "$server_pid" \
    --switches "$switches" | tee -a "$results" >&2
  stop_server "$server_pid"
fi
note_load "end"

# The raw lines stay for later reports (report.py FILE...); $work goes.
mkdir -p target/bench-serve
kept="target/bench-serve/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
cp "$results" "$kept"
echo "results: $kept" >&2
echo >&2
python3 bench/serve/report.py "$results"
