"""The Python side of bench/training/compare.py: builds training graphs once, then times steps on request.

    python_train_worker.py tf1     the notebooks' graphs (python/notebook_graphs.py), tf.compat.v1 Session
    python_train_worker.py keras   Keras 3 LSTM(128) (python/keras_lstm.py), model.fit

Protocol, the same as JavaTrainWorker's: one command per stdin line, one reply per line on stdout
prefixed "@@ " (anything else a library prints goes to stderr):

    setup ROW PATH        build ROW's graph for PATH, run warm-up steps
    time ROW PATH STEPS   train STEPS steps, reply the median ms of a step
    profile ROW PATH N    (tf1 only) N steps traced (RunOptions FULL_TRACE), the op-time breakdown

A tf1 step is one sess.run of the train op with the batch in feed_dict (numpy -> tensor included, as
Java's step includes making its tensors). A Keras step is one batch inside model.fit, from the end of
the batch before: what a Keras user pays per step, callbacks and input pipeline included. Medians,
so that a moment when another process takes the core does not count.
Threads: BENCH_INTRA / BENCH_INTER in the environment (0 = TensorFlow's default).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

MODE = sys.argv[1] if len(sys.argv) > 1 else ""
if MODE not in ("tf1", "keras"):
    sys.exit("usage: python_train_worker.py tf1|keras")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
INTRA = int(os.environ.get("BENCH_INTRA", "0"))
INTER = int(os.environ.get("BENCH_INTER", "0"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "20"))

# Replies go to the real stdout; whatever TensorFlow or Keras print goes to stderr.
_reply_stream = sys.stdout
sys.stdout = sys.stderr

if MODE == "tf1":
    import notebook_graphs as ng  # noqa: E402  (must come before tensorflow)
else:
    import keras_lstm  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import mnist_idx  # noqa: E402

# Rows as in the issue: batch size, and the graph each path builds.
ROWS = {
    "lstm-b128": (128, {"static": "static_lstm", "dynamic": "dynamic_lstm", "keras": "lstm"}),
    "lstm-b100": (100, {"static": "static_lstm", "dynamic": "dynamic_lstm", "keras": "lstm"}),
    "rnn-b1000": (1000, {"static": "static_basic_rnn_dense", "dynamic": "basic_rnn_dense"}),
}


def reply(text: str) -> None:
    _reply_stream.write("@@ " + text + "\n")
    _reply_stream.flush()


class Tf1Trainer:
    def __init__(self, builder: str, batch_size: int, data):
        build = ng.BUILDERS.get(builder) or getattr(ng, builder)
        self.g = build(train=True, seed=0)
        config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=INTRA,
                                          inter_op_parallelism_threads=INTER)
        self.sess = tf.compat.v1.Session(graph=self.g.graph, config=config)
        with self.g.graph.as_default():
            self.sess.run(tf.compat.v1.global_variables_initializer())
        self.batch_size = batch_size
        self.data = data

    def profile(self, steps: int) -> str:
        """As JavaTrainWorker's profile: median wall and per op type median summed time / count."""
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        sums: dict[str, list[int]] = {}
        counts: dict[str, int] = {}
        walls = []
        for step in range(steps):
            images, labels = self.data.next_batch(self.batch_size)
            metadata = tf.compat.v1.RunMetadata()
            self.sess.run(self.g.train_op, feed_dict=self.g.feed(images, labels), options=options,
                          run_metadata=metadata)
            this_step: dict[str, int] = {}
            first, last = None, 0
            for device in metadata.step_stats.dev_stats:
                for node in device.node_stats:
                    label = node.timeline_label
                    op_type = (label.split(" = ", 1)[1].split("(", 1)[0] if " = " in label
                               else node.node_name)
                    key = ("loop " if "while/" in node.node_name else "outside ") + op_type
                    this_step[key] = this_step.get(key, 0) + node.all_end_rel_micros
                    if step == 0:
                        counts[key] = counts.get(key, 0) + 1
                    first = node.all_start_micros if first is None else min(first, node.all_start_micros)
                    last = max(last, node.all_start_micros + node.all_end_rel_micros)
            for key, micros in this_step.items():
                sums.setdefault(key, []).append(micros)
            walls.append(last - (first or 0))
        median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731  (as the Java side)
        ordered = sorted(((median(v), k) for k, v in sums.items()), reverse=True)
        return ";".join([f"wall_us={median(walls)}"] + [f"{k}={m}/{counts.get(k, 0)}" for m, k in ordered])

    def time(self, steps: int) -> float:
        seconds = []
        for _ in range(steps):
            images, labels = self.data.next_batch(self.batch_size)
            start = time.perf_counter()
            self.sess.run(self.g.train_op, feed_dict=self.g.feed(images, labels))
            seconds.append(time.perf_counter() - start)
        return statistics.median(seconds) * 1000


class KerasTrainer:
    def __init__(self, batch_size: int, data):
        keras_lstm.keras.utils.set_random_seed(0)
        self.model = keras_lstm.build_model()
        # Shuffled once here: a shuffle buffer would be refilled at every fit call.
        order = np.random.default_rng(0).permutation(data.num_examples)
        self.dataset = (tf.data.Dataset.from_tensor_slices((data.images[order], data.labels[order]))
                        .repeat().batch(batch_size).prefetch(2))

    def time(self, steps: int) -> float:
        # A step is the time from one batch's end to the next's (the first: from its begin), so
        # it holds all fit does per step; the fit call's own start and end are left out.
        marks = []
        clock = keras_lstm.keras.callbacks.LambdaCallback(
            on_train_batch_begin=lambda batch, logs: marks.append(time.perf_counter()) if batch == 0 else None,
            on_train_batch_end=lambda batch, logs: marks.append(time.perf_counter()))
        self.model.fit(self.dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
        return statistics.median(b - a for a, b in zip(marks, marks[1:])) * 1000


def main() -> None:
    if MODE == "keras":
        tf.config.threading.set_intra_op_parallelism_threads(INTRA)
        tf.config.threading.set_inter_op_parallelism_threads(INTER)
    data = mnist_idx.read_data_sets().train
    trainers = {}
    reply(f"ready python {sys.version.split()[0]} tensorflow {tf.__version__}")
    for line in sys.stdin:
        command = line.split()
        if not command:
            break
        try:
            if command[0] == "setup":
                row, path = command[1], command[2]
                batch_size, graphs = ROWS[row]
                trainer = (KerasTrainer(batch_size, data) if MODE == "keras"
                           else Tf1Trainer(graphs[path], batch_size, data))
                trainers[row, path] = trainer
                trainer.time(WARMUP)
                reply("ok")
            elif command[0] == "profile" and MODE == "tf1":
                reply(trainers[command[1], command[2]].profile(int(command[3])))
            elif command[0] == "time":
                reply(f"{trainers[command[1], command[2]].time(int(command[3])):.4f}")
            else:
                reply(f"error unknown command {command[0]}")
        except Exception as e:  # reported to the driver, which stops with this line
            reply(f"error {type(e).__name__}: {e}".replace("\n", " "))


if __name__ == "__main__":
    main()
