"""Trains each notebook's graph in Python TensorFlow and records every step, for Java to retrace.

    python lockstep.py --out DIR [--runs notebook-000,...,notebook-004@0.01] [--steps 100]
                       [--data-dir data/mnist] [--seed 0]

For each run, a preset of notebook_graphs.NOTEBOOKS, optionally with @RATE to start its schedule at
another learning rate, the notebook's graph is built with the notebook's own optimizer and schedule
(batch size, learning rate, exponential_decay), initialized by Python's own initializers, and
trained --steps steps on a fixed sequence of batches. DIR/<run>/ then holds:
    lockstep.json   preset, schedule, steps, batch size, seeds, TensorFlow version, and every global
                    variable (model, optimizer slots, beta powers, global step):
                    TF1 name -> {"dtype", "shape", "file"}; "graph": graph_facts.facts() of the graph
    batches.npy     int32 [steps, batch]: indices into the 55,000-image training split
                    (read_data_sets' train split: the training file without its first 5,000 images)
    losses.npy      float32 [steps]: each step's minibatch loss, computed in the run that applies
                    the step's update (so from the weights before it)
    initial/<file>  each variable before step 1, .npy
    step-1/<file>   each variable after step 1 (how far one step's arithmetic differs)
    final/<file>    each variable after the last step, .npy
The batches follow next_batch(shuffle=True): a fresh permutation per epoch, seeded by --seed.
org.tfrnn.lockstep.LockstepIT runs this and makes Java retrace the same steps.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import notebook_graphs as ng  # before anything else imports tensorflow: sets TF1 behaviour
import graph_facts
import mnist_idx


def batch_indices(num_examples: int, batch_size: int, steps: int, seed: int) -> np.ndarray:
    """int32 [steps, batch_size]: next_batch's order, a new permutation whenever an epoch runs out."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(num_examples)
    pos = 0
    batches = []
    for _ in range(steps):
        end = pos + batch_size
        if end <= num_examples:
            batches.append(order[pos:end])
            pos = end
        else:
            rest = order[pos:]
            order = rng.permutation(num_examples)
            pos = batch_size - len(rest)
            batches.append(np.concatenate([rest, order[:pos]]))
    return np.asarray(batches, dtype=np.int32)


def file_name(variable: str) -> str:
    return variable.replace("/", "__") + ".npy"


def save_variables(directory: Path, names, values) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in zip(names, values):
        np.save(directory / file_name(name), np.asarray(value))


def run(preset: str, steps: int, data, out: Path, seed: int, learning_rate: float | None) -> dict:
    notebook = ng.NOTEBOOKS[preset]
    schedule = notebook.schedule if learning_rate is None else notebook.schedule.with_learning_rate(learning_rate)
    g = notebook.build(train=True, seed=seed, schedule=schedule)
    batches = batch_indices(data.num_examples, schedule.batch_size, steps, seed)
    losses = np.zeros(steps, dtype=np.float32)
    with g.graph.as_default(), ng.tf1.Session(graph=g.graph) as sess:
        all_variables = ng.tf1.global_variables()
        names = [v.op.name for v in all_variables]
        sess.run(ng.tf1.global_variables_initializer())
        save_variables(out / "initial", names, sess.run(all_variables))
        for step in range(steps):
            idx = batches[step]
            loss, _ = sess.run([g.loss, g.train_op], feed_dict=g.feed(data.images[idx], data.labels[idx]))
            losses[step] = loss
            if step == 0:
                save_variables(out / "step-1", names, sess.run(all_variables))
        save_variables(out / "final", names, sess.run(all_variables))
        facts = graph_facts.facts(g)
    np.save(out / "batches.npy", batches)
    np.save(out / "losses.npy", losses)
    summary = {
        "preset": preset,
        "steps": steps,
        "batch_size": schedule.batch_size,
        "optimizer": schedule.optimizer,
        "learning_rate": schedule.learning_rate,
        "decay_steps": schedule.decay_steps,
        "decay_rate": schedule.decay_rate,
        "schedule": schedule.describe(),
        "seed": seed,
        "tensorflow": ng.tf.__version__,
        "variables": {name: {**facts["variables"][name], "file": file_name(name)} for name in names},
        "graph": facts,
    }
    (out / "lockstep.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def parse_run(run: str) -> tuple[str, float | None]:
    """'notebook-004@0.01' -> ('notebook-004', 0.01); 'notebook-000' -> ('notebook-000', None)."""
    preset, _, rate = run.partition("@")
    if preset not in ng.NOTEBOOKS:
        raise ValueError(f"run {run!r}: unknown preset {preset!r}; choose from {', '.join(ng.NOTEBOOKS)}")
    try:
        return preset, (float(rate) if rate else None)
    except ValueError:
        raise ValueError(f"run {run!r}: {rate!r} is not a learning rate") from None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="directory for one sub-directory per run")
    parser.add_argument("--runs", default="notebook-000,notebook-001,notebook-002,notebook-003,notebook-004",
                        help="comma-separated PRESET or PRESET@LEARNING_RATE")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--data-dir", default=str(mnist_idx.DEFAULT_DATA_DIR), help="MNIST IDX files (raw or .gz)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the initial values and the batch order")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    try:
        runs = [(run, *parse_run(run)) for run in args.runs.split(",") if run]
        data = mnist_idx.read_data_sets(args.data_dir, seed=args.seed).train
    except (ValueError, mnist_idx.IdxError) as e:
        print(f"lockstep: {e}", file=sys.stderr)
        return 2
    for run_name, preset, rate in runs:
        summary = run(preset, args.steps, data, Path(args.out) / run_name, args.seed, rate)
        losses = np.load(Path(args.out) / run_name / "losses.npy")
        print(f"{run_name}: {summary['schedule']}; {args.steps} steps, loss {losses[0]:.6f} -> {losses[-1]:.6f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
