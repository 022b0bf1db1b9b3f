"""Training step time, Java against Python TensorFlow and Keras 3, on the same graphs, in one run.

Run through bench/training/compare.sh, which builds the Java side and takes the benchmark lock.
Three long-lived worker processes build their graphs once: JavaTrainWorker (TF Java), the tf1
worker (python/notebook_graphs.py in a tf.compat.v1 Session) and the Keras worker (Keras 3 fit).
Each round then times every path of every row, Java and Python alternately (the order flips every
round), and one large matmul for the floor. A ratio is taken within each round and the table shows
the median over rounds, so drift of the shared machine hits both sides of a ratio alike. Short rounds
(10 steps per path) keep the two sides of a ratio close in time.

Only the standard library is used here; the workers bring TensorFlow.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import queue
import statistics
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATMUL_N = 2048


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    batch: int
    units: int
    gates: int          # 4 for an LSTM, 1 for a basic RNN
    keras: bool         # Keras 3 LSTM(128) fit is a comparison for the LSTM rows
    fast: bool          # the Java fast unroll (--unroll fast) builds LSTMs only
    time_steps: int = 28
    inputs: int = 28
    classes: int = 10

    def matmul_flops(self) -> float:
        """The step's matmul FLOPs: per time step [B, I+H] x [I+H, G*H] forward, and two matmuls of
        that size backward (gradients of the kernel and of the cell input); the same for the head."""
        cell = 2.0 * self.batch * (self.inputs + self.units) * self.gates * self.units
        head = 2.0 * self.batch * self.units * self.classes
        return 3 * (self.time_steps * cell + head)


ROWS = [
    Row("lstm-b128", "LSTM 128 (notebook 003/000)", 128, 128, 4, True, True),
    Row("lstm-b100", "LSTM 128 (notebook 001)", 100, 128, 4, True, True),
    Row("rnn-b1000", "RNN 100 + dense (notebook 002)", 1000, 100, 1, False, False),
]

# (column, worker, path) in the order a round runs them when Java goes first; pairs are compared.
# java_fast comes first here and last in the flipped rounds, so it alternates with Python too.
# The "java" worker builds every graph in the training default's batch lanes (what ./tfrnn train
# runs), the "java1" worker in one lane: the notebook's graph op for op, as Python builds it.
PATHS = [
    ("java_fast", "java", "fast"),
    ("java_static", "java", "static"),
    ("py_static", "tf1", "static"),
    ("java_while", "java", "while"),
    ("py_dynamic", "tf1", "dynamic"),
    ("keras", "keras", "keras"),
    ("java_static_1lane", "java1", "static"),
    ("java_while_1lane", "java1", "while"),
    # Optional (--also): the fast unroll in one lane.
    ("java_fast_1lane", "java1", "fast"),
]
OPTIONAL = {"java_fast_1lane"}
TITLES = {"java_static": "Java static", "py_static": "Python static", "java_while": "Java while loop",
          "py_dynamic": "Python dynamic_rnn", "keras": "Keras 3 fit", "java_fast": "Java fast",
          "java_static_1lane": "Java static, 1 lane", "java_while_1lane": "Java while, 1 lane",
          "java_fast_1lane": "Java fast, 1 lane"}
PAIRS = [("java_static", "py_static"), ("java_while", "py_dynamic")]


class Worker:
    """A child process speaking the line protocol of the workers: commands in, '@@ ' replies out."""

    def __init__(self, name: str, argv: list[str], env: dict, timeout: float):
        self.name = name
        self.timeout = timeout
        self.log = open(ROOT / "target" / f"bench-{name}.log", "w")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, bufsize=1)
        self.replies: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.banner = self._reply()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.startswith("@@ "):
                self.replies.put(line[3:].rstrip("\n"))
            else:
                self.log.write(line)
        self.replies.put(None)

    def _reply(self) -> str:
        try:
            reply = self.replies.get(timeout=self.timeout)
        except queue.Empty:
            raise SystemExit(f"compare: the {self.name} worker did not answer in {self.timeout:.0f} s "
                             f"(log: target/bench-{self.name}.log)")
        if reply is None:
            raise SystemExit(f"compare: the {self.name} worker exited with code {self.proc.wait()} "
                             f"(log: target/bench-{self.name}.log)")
        if reply.startswith("error"):
            raise SystemExit(f"compare: {self.name} worker: {reply}")
        return reply

    def ask(self, *command) -> str:
        self.proc.stdin.write(" ".join(str(c) for c in command) + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self.log.close()


def start_workers(args, needed: set[str]) -> dict[str, Worker]:
    # Python runs at TensorFlow's default threads, the Java lanes at what ./tfrnn train picks for
    # them, the one-lane Java at TensorFlow's default; --threads sets all of them.
    intra, inter = args.threads.split(",") if args.threads else ("0", "0")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", BENCH_INTRA=intra, BENCH_INTER=inter,
               BENCH_WARMUP=str(args.warmup))
    python = str(ROOT / "python" / ".venv" / "bin" / "python")
    script = str(ROOT / "bench" / "training" / "python_train_worker.py")
    classpath = ":".join([str(ROOT / "target" / "bench-classes"), str(ROOT / "target" / "classes"),
                          (ROOT / "target" / "runtime-classpath.txt").read_text().strip()])

    def java(lanes: str, threads: str) -> list[str]:
        lanes_flag = [f"-Dbench.lanes={lanes}"] if lanes else []
        return ["java", "-Xmx4g", *lanes_flag, f"-Dbench.threads={threads}",
                f"-Dbench.warmup={args.warmup}", "-cp", classpath, "JavaTrainWorker"]

    argv = {
        "java": java(str(args.lanes) if args.lanes else "", args.threads or ""),
        "java1": java("1", args.threads or "0,0"),
        "tf1": [python, script, "tf1"],
        # Keras 3 must not see TF_USE_LEGACY_KERAS (that selects Keras 2).
        "keras": [python, script, "keras"],
    }
    workers = {}
    for name in ("java", "java1", "tf1", "keras"):
        if name in needed:
            worker_env = {k: v for k, v in env.items() if not (name == "keras" and k == "TF_USE_LEGACY_KERAS")}
            workers[name] = Worker(name, argv[name], worker_env, args.timeout)
            progress(f"{name} worker: {workers[name].banner}")
    return workers


def progress(text: str) -> None:
    print(f"[{datetime.datetime.now().strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def cells(row: Row, skip: set[str]) -> list[tuple[str, str, str]]:
    return [(col, w, p) for col, w, p in PATHS if col not in skip and (col != "keras" or row.keras)
            and (not col.startswith("java_fast") or row.fast)]


def round_order(row_cells: list, round_index: int) -> list:
    """The row's paths in PAIRS order; every other round Python goes first within each pair."""
    if round_index % 2 == 0:
        return row_cells
    by_col = {c[0]: c for c in row_cells}
    order = []
    for java, python in PAIRS:
        order += [by_col[c] for c in (python, java) if c in by_col]
    paired = {c for pair in PAIRS for c in pair}
    return order + [c for c in row_cells if c[0] not in paired]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round of 5 steps, 3 warm-up")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per path per round")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps after building a graph")
    parser.add_argument("--threads", default="",
                        help="session threads INTRA,INTER for every side (0 = TensorFlow's default); "
                             "default: each side's own (Python and one-lane Java: TensorFlow's; Java "
                             "lanes: what ./tfrnn train picks, 1,2 on 2 cores)")
    parser.add_argument("--lanes", type=int, default=0,
                        help="batch lanes of the Java static, while and fast columns (default: "
                             "./tfrnn train's, 2)")
    parser.add_argument("--rows", default=",".join(r.key for r in ROWS),
                        help="rows to run, of " + ", ".join(r.key for r in ROWS))
    parser.add_argument("--skip", default="", help="columns to leave out, e.g. keras")
    parser.add_argument("--also", default="", help="optional columns to add: java_fast_1lane")
    parser.add_argument("--profile", type=int, default=0, metavar="STEPS",
                        help="instead of timing: trace STEPS steps of each Java and Python tf1 path "
                             "(RunOptions FULL_TRACE) and print where a step's op time goes")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for any one answer")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.steps, args.warmup = 1, 5, 3
    if args.threads:
        try:
            intra, inter = (int(v) for v in args.threads.split(","))
        except ValueError:
            parser.error(f"--threads takes INTRA,INTER as two integers, got '{args.threads}'")
        if intra < 0 or inter < 0:
            parser.error(f"--threads takes two integers >= 0, got '{args.threads}'")
    by_key = {r.key: r for r in ROWS}
    unknown = [k for k in args.rows.split(",") if k not in by_key]
    if unknown:
        parser.error(f"unknown row(s) {unknown}; known: {list(by_key)}")
    rows = [by_key[k] for k in args.rows.split(",")]
    also = set(filter(None, args.also.split(",")))
    if also - OPTIONAL:
        parser.error(f"unknown --also column(s) {sorted(also - OPTIONAL)}; known: {sorted(OPTIONAL)}")
    skip = set(filter(None, args.skip.split(","))) | (OPTIONAL - also)
    if args.lanes < 0:
        parser.error("--lanes must be at least 1")
    if args.rounds < 1 or args.steps < 1 or args.warmup < 0:
        parser.error("--rounds and --steps must be at least 1, --warmup at least 0")

    # The matmul floor is measured by the one-lane worker, at TensorFlow's default threads.
    needed = {w for row in rows for _, w, _ in cells(row, skip)} | {"java1"}
    workers = start_workers(args, needed)
    try:
        for row in rows:
            for col, w, path in cells(row, skip):
                progress(f"building {row.key} {col}, {args.warmup} warm-up steps")
                workers[w].ask("setup", row.key, path)

        if args.profile:
            for row in rows:
                for col, w, path in cells(row, skip):
                    if w != "keras":
                        print_profile(row, col, workers[w].ask("profile", row.key, path, args.profile))
            return
        times = {(row.key, col): [] for row in rows for col, _, _ in cells(row, skip)}
        gflops = []
        for r in range(args.rounds):
            progress(f"round {r + 1}/{args.rounds}")
            gflops.append(float(workers["java1"].ask("matmul", MATMUL_N, 5)))
            for row in rows:
                for col, w, path in round_order(cells(row, skip), r):
                    times[row.key, col].append(float(workers[w].ask("time", row.key, path, args.steps)))
    finally:
        for worker in workers.values():
            worker.close()
    print_report(args, rows, skip, times, gflops, workers_banner(workers))


def print_profile(row: Row, col: str, reply: str, top: int = 12) -> None:
    """One path's traced step: op executions, and the op types that take the most op time."""
    wall, *entries = reply.split(";")
    parsed = []
    for entry in entries:
        key, value = entry.rsplit("=", 1)
        micros, count = value.split("/")
        parsed.append((key, int(micros), int(count)))
    total = sum(m for _, m, _ in parsed)
    ops = sum(c for _, _, c in parsed)
    print(f"{row.title}, {col}: {ops} op executions per step, op time {total / 1000:.1f} ms "
          f"(summed over both cores), traced wall {int(wall.split('=')[1]) / 1000:.1f} ms")
    print()
    print("| where | op type | ms | % of op time | executions |")
    print("|---|---|---:|---:|---:|")
    for key, micros, count in parsed[:top]:
        where, op_type = key.split(" ", 1)
        print(f"| {where} | {op_type} | {micros / 1000:.2f} | {100 * micros / total:.0f}% | {count} |")
    print()


def workers_banner(workers: dict[str, Worker]) -> str:
    banners = [w.banner.removeprefix("ready ") for w in workers.values()]
    return "; ".join(dict.fromkeys(banners))  # the two Python workers report the same versions


def print_report(args, rows, skip, times, gflops, banner) -> None:
    median = statistics.median
    # The floor is what the cores deliver undisturbed: the best round's matmul, not a typical one.
    floor_gflops = max(gflops)
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"{platform.machine()}; {banner}")
    threads = (f"threads intra,inter = {args.threads} on every side" if args.threads else
               "threads: each side's default")
    print(f"{args.rounds} rounds x {args.steps} steps per path after {args.warmup} warm-up steps; "
          f"{threads}; one {MATMUL_N}x{MATMUL_N} matmul: "
          f"{floor_gflops:.0f} GFLOP/s (best round; per round "
          f"{', '.join(f'{g:.0f}' for g in gflops)})")
    print()
    columns = [col for col, _, _ in PATHS if any(c == col for _, c in times)]
    print("ms per training step: median over rounds of each round's median step; Java static, while "
          "loop and fast in the training default's batch lanes, \"1 lane\" the notebook's graph op "
          "for op:")
    print()
    print("| row | batch | matmul floor ms | " + " | ".join(TITLES[c] for c in columns) + " |")
    print("|---|---:|---:|" + "---:|" * len(columns))
    for row in rows:
        floor = row.matmul_flops() / (floor_gflops * 1e9) * 1000
        line = [row.title, str(row.batch), f"{floor:.1f}"]
        for col in columns:
            values = times.get((row.key, col))
            line.append(f"{median(values):.1f}" if values else "—")
        print("| " + " | ".join(line) + " |")
    print()
    print("Ratios, median of the per-round ratios; % floor = matmul floor / step time:")
    print()
    ratio_columns = [
        ("Java/Python static", "java_static", "py_static"),
        ("Java/Python while", "java_while", "py_dynamic"),
        ("while/static (Java)", "java_while", "java_static"),
        ("Java while/Keras", "java_while", "keras"),
        ("Java static/Keras", "java_static", "keras"),
        ("Java fast/Python static", "java_fast", "py_static"),
        ("Java fast/Keras", "java_fast", "keras"),
        ("1 lane: Java/Python static", "java_static_1lane", "py_static"),
        ("1 lane: Java/Python while", "java_while_1lane", "py_dynamic"),
        ("1 lane: while/static", "java_while_1lane", "java_static_1lane"),
    ]
    floor_columns = ["java_static", "java_while", "java_fast"]
    print("| row | " + " | ".join(title for title, _, _ in ratio_columns) + " | "
          + " | ".join(f"% floor {TITLES[c]}" for c in floor_columns) + " |")
    print("|---|" + "---:|" * (len(ratio_columns) + len(floor_columns)))
    worst: dict[str, float] = {}
    for row in rows:
        def ratio(a: str, b: str):
            if (row.key, a) not in times or (row.key, b) not in times:
                return None
            return median(x / y for x, y in zip(times[row.key, a], times[row.key, b]))

        def floor_pct(col: str):
            if (row.key, col) not in times:
                return None
            return row.matmul_flops() / (floor_gflops * 1e9) * 1000 / median(times[row.key, col]) * 100

        values = {title: ratio(a, b) for title, a, b in ratio_columns}
        for key, titles in (("java", ["Java/Python static", "Java/Python while"]),
                            ("one_lane", ["1 lane: Java/Python static", "1 lane: Java/Python while"]),
                            ("while_static", ["while/static (Java)"]),
                            ("fast", ["Java fast/Python static"])):
            for title in titles:
                if values[title] is not None:
                    worst[key] = max(worst.get(key, values[title]), values[title])
        cells_text = [f"{v:.2f}" if v is not None else "—" for v in values.values()]
        cells_text += [f"{v:.0f}%" if v is not None else "—" for v in map(floor_pct, floor_columns)]
        print(f"| {row.title} | " + " | ".join(cells_text) + " |")
    print()
    # Issue 9: goal 3, the fast path at batch 128 in at most 12 ms; goal 2, Java <= 0.8x Python on
    # every row and the while loop within 1.1x the static unroll.
    fast_b128 = times.get(("lstm-b128", "java_fast"))
    if fast_b128:
        print(f"fast path at batch 128: {median(fast_b128):.1f} ms per step (goal: <= 12)")
    if "fast" in worst:
        print(f"worst java fast/python static ratio: {worst['fast']:.2f} (goal: <= 0.80)")
    for row in rows:
        if (row.key, "java_fast_1lane") in times and (row.key, "java_fast") in times:
            lanes = median(x / y for x, y in zip(times[row.key, "java_fast"],
                                                 times[row.key, "java_fast_1lane"]))
            print(f"{row.key}: java fast (lanes) / 1 lane: {lanes:.2f}")
    if "while_static" in worst:
        print(f"worst while/static (Java): {worst['while_static']:.2f} (goal: <= 1.10)")
    if "one_lane" in worst:
        print(f"worst java/python ratio in one lane (the notebook's graph): {worst['one_lane']:.2f}")
    print(f"worst java/python ratio: {worst['java']:.2f}" if "java" in worst
          else "worst java/python ratio: n/a (no Java/Python pair ran)")


if __name__ == "__main__":
    main()
