#!/usr/bin/env bash
# nn/FastLstm as of several commits, timed side by side in one session (see ChainAB.java.in):
#   bench/fastchain/ab.sh [--rounds 30] [--steps 10] [--threads 1,2] COMMIT COMMIT...
# e.g. bench/fastchain/ab.sh --threads 1,2 87b9f80 2def95d   (ratios are to the first commit)
# Takes /tmp/bench.lock (BENCH_LOCK overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=30 steps=10 threads=1,2
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --rounds) rounds=$2 ;; --steps) steps=$2 ;; --threads) threads=$2 ;;
    *) echo "ab.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ $# -ge 1 ]] || { echo "ab.sh: give at least one commit" >&2; exit 2; }
source scripts/build.sh
tfrnn_require_java17 --jdk
tfrnn_build
work=target/fastchain-ab
rm -rf "$work" && mkdir -p "$work/src/org/tfrnn/nn" "$work/classes"
variants=""
for commit in "$@"; do
  name="FastLstm_$(git rev-parse --short "$commit")"
  git show "$commit:src/main/java/org/tfrnn/nn/FastLstm.java" \
    | sed "s/\bFastLstm\b/$name/g" > "$work/src/org/tfrnn/nn/$name.java"
  variants+="      variants.put(\"$(git rev-parse --short "$commit")\", lanes(tf.withSubScope(\"$name\"), kernel, bias, x, dOut, (s, k, b, xs, d) -> {
        org.tfrnn.nn.$name.Result f = org.tfrnn.nn.$name.unroll(s, List.of(new org.tfrnn.nn.$name.Layer(cell(), new RnnCell.CellWeights(k, b), s)), xs, TIME, null);
        org.tfrnn.nn.$name.Gradients g = org.tfrnn.nn.$name.backward(s.withSubScope(\"backprop\"), f, lastOutputOnly(d), null, false);
        return List.of(g.weights().get(0).kernel(), g.weights().get(0).bias());
      }));
"
done
VARIANTS="$variants" python3 -c 'import os,sys; sys.stdout.write(open(sys.argv[1]).read().replace("//VARIANTS\n", os.environ["VARIANTS"]))' \
  bench/fastchain/ChainAB.java.in > "$work/src/ChainAB.java"
javac -d "$work/classes" -cp "$(tfrnn_classpath)" "$work"/src/org/tfrnn/nn/*.java "$work/src/ChainAB.java"
lock="${BENCH_LOCK:-/tmp/bench.lock}"
exec 9>>"$lock"
flock -n 9 || { echo "ab.sh: waiting for $lock (another benchmark is running)" >&2; flock 9; }
java -cp "$work/classes:$(tfrnn_classpath)" ChainAB "$rounds" "$steps" "${threads%,*}" "${threads#*,}" 2>&1 \
  | grep -v '^I0000\|^WARNING: All log\|oneDNN custom operations\|cpu_feature_guard\|^To enable the following'
