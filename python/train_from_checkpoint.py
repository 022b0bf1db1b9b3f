"""Continues training a notebook model in Python from a checkpoint (e.g. one Java wrote).

    python train_from_checkpoint.py --model static_lstm|dynamic_lstm|basic_rnn_dense|stacked_lstm \\
        --checkpoint PREFIX --data-dir DIR --steps N [--save-dir DIR]

Builds the notebook graph (notebook_graphs.py), restores only the model variables, by their TF1
names (Variable, Variable_1, rnn/basic_lstm_cell/kernel, ...), from the checkpoint PREFIX (for a
SavedModel: <dir>/variables/variables); anything else in it, such as Adam slots, is ignored and Adam
starts afresh. Prints the accuracy on all 10,000 test images, trains N steps with Adam 0.001 (batch
128), prints the accuracy again, optionally exports the result as a SavedModel (same signature as
the fixtures) to --save-dir, and prints as its last stdout line:
    {"accuracy_before": x, "accuracy_after": y}
Exit status 2 on bad arguments, data or checkpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import notebook_graphs as ng  # before anything else imports tensorflow: sets TF1 behaviour
import fixture_io
import mnist_idx


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, choices=list(ng.BUILDERS))
    parser.add_argument("--checkpoint", required=True, help="checkpoint prefix, e.g. <savedmodel>/variables/variables")
    parser.add_argument("--data-dir", default=str(mnist_idx.DEFAULT_DATA_DIR), help="MNIST IDX files (raw or .gz)")
    parser.add_argument("--steps", type=int, required=True, help="Adam steps to train (0 only evaluates)")
    parser.add_argument("--batch-size", type=int, default=ng.BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=0, help="seeds the batch order and the graph")
    parser.add_argument("--save-dir", help="export the trained model as a SavedModel here (must not exist)")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error("--steps must be >= 0")
    if args.save_dir and Path(args.save_dir).exists():
        parser.error(f"--save-dir {args.save_dir} already exists")

    try:
        data = mnist_idx.read_data_sets(args.data_dir, seed=args.seed)
    except mnist_idx.IdxError as e:
        print(f"train_from_checkpoint: {e}", file=sys.stderr)
        return 2

    g = ng.BUILDERS[args.model](train=True, seed=args.seed)
    with g.graph.as_default(), ng.tf1.Session(graph=g.graph) as sess:
        sess.run(ng.tf1.global_variables_initializer())  # Adam's slots; the model is restored next
        try:
            ng.restore_variables(g, sess, args.checkpoint)
        except ValueError as e:
            print(f"train_from_checkpoint: {e}", file=sys.stderr)
            return 2
        print(f"Restored {', '.join(g.variable_shapes())} from {args.checkpoint}")

        before = ng.accuracy(g, sess, data.test.images, data.test.labels)
        print(f"Testing Accuracy before training: {before:.4f}")
        ng.train(g, sess, data.train, args.steps, args.batch_size)
        after = ng.accuracy(g, sess, data.test.images, data.test.labels)
        print(f"Testing Accuracy after {args.steps} steps: {after:.4f}")
        values = ng.variable_values(g, sess)

    if args.save_dir:
        save_dir = Path(args.save_dir)
        with fixture_io.staged_dir(save_dir.parent, save_dir.name) as tmp:
            ng.export_savedmodel(args.model, values, str(tmp), seed=args.seed)
        print(f"Saved the trained model to {save_dir}")
    print(json.dumps({"accuracy_before": before, "accuracy_after": after}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
