"""Reads what a Java training run wrote, as Python TensorFlow and TensorBoard read it.

    python read_training_run.py --checkpoint-dir DIR [--logdir DIR]

Prints one JSON object (last stdout line):
  latest_checkpoint   tf.train.latest_checkpoint(DIR)
  all_checkpoints     tf.train.get_checkpoint_state(DIR).all_model_checkpoint_paths
  variables           {TF1 name: {"shape": [...], "dtype": "float32", "sum": s, "min": m, "max": M}}
                      of the latest checkpoint, read with tf.train.load_checkpoint
  scalars             {tag: [[step, value], ...]} from TensorBoard's EventAccumulator, nothing
                      sampled away (size_guidance 0)
  histograms          {tag: [[step, num, sum, min, max], ...]}
  graph_nodes         number of nodes of the graph in the event files
  tf_histogram_equal  {tag: true/false} for each histogram written at the latest checkpoint's
                      step: whether it equals, bucket for bucket, the histogram TensorFlow's own
                      HistogramSummary op makes of that variable's value in the checkpoint
Exit status 2 if there is no checkpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402


def same_histogram(written, value) -> bool:
    """Whether an event's histogram equals TensorFlow's own histogram summary of value."""
    with tf.Graph().as_default():
        op = tf.compat.v1.summary.histogram("h", tf.constant(value))
        with tf.compat.v1.Session() as sess:
            summary = tf.compat.v1.Summary.FromString(sess.run(op))
    expected = summary.value[0].histo
    fields = ("min", "max", "num", "sum", "sum_squares")
    return (all(getattr(written, f) == getattr(expected, f) for f in fields)
            and list(written.bucket_limit) == list(expected.bucket_limit)
            and list(written.bucket) == list(expected.bucket))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint-dir", required=True)
    parser.add_argument("--logdir")
    args = parser.parse_args(argv)

    latest = tf.train.latest_checkpoint(args.checkpoint_dir)
    if latest is None:
        print(f"read_training_run: no checkpoint in {args.checkpoint_dir}", file=sys.stderr)
        return 2
    state = tf.train.get_checkpoint_state(args.checkpoint_dir)
    reader = tf.train.load_checkpoint(latest)
    dtypes = reader.get_variable_to_dtype_map()
    variables = {}
    for name, shape in sorted(reader.get_variable_to_shape_map().items()):
        value = np.asarray(reader.get_tensor(name))
        variables[name] = {
            "shape": list(shape),
            "dtype": dtypes[name].name,
            "sum": float(np.sum(value, dtype=np.float64)),
            "min": float(np.min(value)),
            "max": float(np.max(value)),
        }
    result = {
        "latest_checkpoint": latest,
        "all_checkpoints": list(state.all_model_checkpoint_paths),
        "variables": variables,
    }
    if args.logdir:
        accumulator = event_accumulator.EventAccumulator(args.logdir, size_guidance={
            event_accumulator.SCALARS: 0,
            event_accumulator.HISTOGRAMS: 0,
            event_accumulator.GRAPH: 1,
        })
        accumulator.Reload()
        tags = accumulator.Tags()
        result["scalars"] = {
            tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags["scalars"]}
        result["histograms"] = {
            tag: [[e.step, e.histogram_value.num, e.histogram_value.sum, e.histogram_value.min,
                   e.histogram_value.max] for e in accumulator.Histograms(tag)]
            for tag in tags["histograms"]}
        result["graph_nodes"] = len(accumulator.Graph().node) if tags["graph"] else 0
        step = int(latest.rsplit("-", 1)[1])
        result["tf_histogram_equal"] = {
            tag: same_histogram(e.histogram_value, reader.get_tensor(tag))
            for tag in tags["histograms"] for e in accumulator.Histograms(tag) if e.step == step}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
