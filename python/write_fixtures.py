"""Trains the notebook models briefly and writes them as SavedModel fixtures with expected outputs.

    python write_fixtures.py [--data-dir data/mnist] [--out savedmodels] [--steps N]
                             [--prefix py] [--fixtures static-lstm,dynamic-lstm,basic-rnn-dense,keras-lstm]

Each TF1-graph fixture is one notebook's graph trained the notebook's way: its optimizer, learning
rate, batch size and number of steps (notebook_graphs.NOTEBOOKS; --steps overrides the number):
    static-lstm       notebook 003: static_rnn, input by transpose/reshape/split, Adam 0.001,
                      batch 128, 781 steps
    dynamic-lstm      notebook 001: dynamic_rnn LSTM, Adam 0.001, batch 100, 999 steps
    basic-rnn-dense   notebook 002: dynamic_rnn BasicRNNCell + dense, Adam 0.001, batch 1000,
                      100 epochs of 55 steps (about 12 minutes on a busy 2-core machine)
The Keras model has no notebook: Adam 0.001, batch 128, 400 steps.

Writes <out>/<prefix>-<fixture>/ for each fixture:
    saved_model.pb, variables/     the SavedModel: tag "serve", signature "serving_default"
    expected/inputs.npy            the first 100 MNIST test images, float32 [100, 28, 28]
    expected/labels.npy            their labels, int64 [100]
    expected/<output key>.npy      what Python TensorFlow computes for them, one file per signature output
    expected/fixture.json          versions, signature, accuracy on all 10,000 test images, variables

Each fixture is built in a process of its own: the TF1 graphs need TF_USE_LEGACY_KERAS=1 and TF1
behaviour, the Keras 3 model needs neither. Each is staged in a temporary directory, checked with
check_java_export.py (both loaders), and only then renamed into place.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import fixture_io
import mnist_idx

REPO_ROOT = Path(__file__).resolve().parent.parent

# fixture -> (kind, the notebook preset of notebook_graphs.NOTEBOOKS it trains or None for Keras,
#             steps if not the notebook's: None for all of them today)
FIXTURES = {
    "static-lstm": ("tf1-graph", "notebook-003", None),
    "dynamic-lstm": ("tf1-graph", "notebook-001", None),
    "basic-rnn-dense": ("tf1-graph", "notebook-002", None),
    "keras-lstm": ("keras3-export", None, None),
}
KERAS_TRAINING = {"steps": 400, "batch_size": 128, "optimizer": "Adam", "learning_rate": 0.001}


def predicted_classes(outputs: dict) -> np.ndarray:
    """argmax class per example: the `classes` output when the signature has one, else the argmax
    of its only output (a Keras export returns just the logits, as output_0)."""
    if "classes" in outputs:
        return outputs["classes"]
    if len(outputs) != 1:
        raise ValueError(f"cannot tell which of the outputs {sorted(outputs)} holds the logits")
    return np.argmax(next(iter(outputs.values())), axis=1)


def finish_fixture(tmp: Path, name: str, data, args, kind: str, notebook, description: str,
                   reference: np.ndarray, reference_key: str, training: dict, extra: dict) -> None:
    """Computes expected outputs and test accuracy from the SavedModel as written (TF1 loader, the
    way Java loads it), checks them against the in-memory model, writes expected/, runs the checker."""
    from check_java_export import GraphModeModel, main_input_key

    inputs = data.test.images[:fixture_io.NUM_EXPECTED]
    model = GraphModeModel(str(tmp))
    try:
        input_key = main_input_key(model.input_keys)
        expected = model.run({input_key: inputs})
        classes = np.concatenate([predicted_classes(model.run({input_key: data.test.images[i:i + 1000]}))
                                  for i in range(0, data.test.num_examples, 1000)])
    finally:
        model.close()
    diff = float(np.max(np.abs(expected[reference_key] - reference)))
    if diff > 1e-5:
        raise RuntimeError(f"the exported SavedModel's {reference_key} differ from the trained model's by {diff}")
    accuracy = float(np.mean(classes == data.test.labels))

    expected_dir = tmp / "expected"
    fixture_io.write_expected(expected_dir, inputs, data.test.labels[:fixture_io.NUM_EXPECTED], expected)
    described = fixture_io.describe_savedmodel(tmp)
    versions = fixture_io.versions()
    if kind == "tf1-graph":
        versions["keras_version"] = None  # the TF1 cells come from tf_keras; Keras 3 plays no part
    else:
        versions["tf_keras_version"] = None
    fixture = {
        "name": name,
        "kind": kind,
        "notebook": notebook,
        "description": description,
        "signature": "serving_default",
        "method_name": described["method_name"],
        "input_key": input_key,
        "output_keys": sorted(described["outputs"]),
        "inputs": described["inputs"],
        "outputs": described["outputs"],
        **versions,
        "written_by_tensorflow": described["written_by_tensorflow"],
        "saved_model_schema_version": described["saved_model_schema_version"],
        "test_accuracy_10000": accuracy,
        "expected_examples": len(inputs),
        "training": {**training, "seed": args.seed},
        **extra,
        "op_types": described["op_types"],
    }
    fixture_io.write_json(expected_dir / "fixture.json", fixture)
    print(f"  test accuracy (10,000 images): {accuracy:.4f}")
    fixture_io.run_check(tmp, expected_dir)


def write_tf1_fixture(fixture: str, preset: str, steps: int | None, args, data) -> None:
    import notebook_graphs as ng  # the first TensorFlow import of this process: sets TF1 behaviour

    notebook = ng.NOTEBOOKS[preset]
    steps = args.steps or steps
    schedule = notebook.schedule if steps is None else replace(notebook.schedule, steps=steps)
    np.random.seed(args.seed)
    g = notebook.build(train=True, seed=args.seed, schedule=schedule)
    with g.graph.as_default(), ng.tf1.Session(graph=g.graph) as sess:
        sess.run(ng.tf1.global_variables_initializer())
        ng.train(g, sess, data.train, schedule.steps, schedule.batch_size,
                 log=lambda line: print("  " + line, flush=True), log_every=500)
        values = ng.variable_values(g, sess)
        reference = ng.predict(g, sess, data.test.images[:fixture_io.NUM_EXPECTED])["logits"]

    name = f"{args.prefix}-{fixture}"
    training = {"notebook_preset": preset, "schedule": schedule.describe(), "steps": schedule.steps,
                "batch_size": schedule.batch_size, "optimizer": schedule.optimizer,
                "learning_rate": schedule.learning_rate, "decay_steps": schedule.decay_steps,
                "decay_rate": schedule.decay_rate}
    with fixture_io.staged_dir(Path(args.out), name) as tmp:
        ng.export_savedmodel(notebook.builder, values, str(tmp), seed=args.seed, **notebook.options)
        finish_fixture(tmp, name, data, args, "tf1-graph", preset.removeprefix("notebook-"),
                       f"notebook {preset.removeprefix('notebook-')} graph ({notebook.builder}) in "
                       f"tf.compat.v1, trained the notebook's way: {schedule.describe()}",
                       reference, "logits", training, {"variables": g.variable_shapes()})


def write_keras_fixture(fixture: str, args, data) -> None:
    import keras_lstm  # Keras 3; refuses to run with TF_USE_LEGACY_KERAS=1

    training = dict(KERAS_TRAINING, steps=args.steps or KERAS_TRAINING["steps"])
    keras_lstm.keras.utils.set_random_seed(args.seed)
    model = keras_lstm.build_model()
    keras_lstm.train(model, data, training["steps"], training["batch_size"], args.seed)
    reference = model.predict(data.test.images[:fixture_io.NUM_EXPECTED], verbose=0)

    name = f"{args.prefix}-{fixture}"
    with fixture_io.staged_dir(Path(args.out), name) as tmp:
        os.rmdir(tmp)  # model.export writes the directory itself
        model.export(str(tmp))
        finish_fixture(tmp, name, data, args, "keras3-export", None,
                       "Keras 3 Sequential(Input(28,28), LSTM(128), Dense(10)) exported with model.export, "
                       f"trained {training['steps']} steps (no seed notebook: the same task as a 2024 "
                       "notebook writes it)",
                       reference, "output_0", training, {})


def run_one(fixture: str, args) -> None:
    kind, preset, steps = FIXTURES[fixture]
    data = mnist_idx.read_data_sets(args.data_dir, seed=args.seed)
    if kind == "tf1-graph":
        write_tf1_fixture(fixture, preset, steps, args, data)
    else:
        write_keras_fixture(fixture, args, data)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(mnist_idx.DEFAULT_DATA_DIR), help="MNIST IDX files (raw or .gz)")
    parser.add_argument("--out", default=str(REPO_ROOT / "savedmodels"), help="directory the fixtures go in")
    parser.add_argument("--steps", type=int, default=None,
                        help="training steps per model (default: the notebook's; Keras: 400)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prefix", default="py", help="fixture directories are named <prefix>-<fixture>")
    parser.add_argument("--fixtures", default=",".join(FIXTURES),
                        help=f"comma-separated subset of {', '.join(FIXTURES)}")
    parser.add_argument("--one", choices=list(FIXTURES), help=argparse.SUPPRESS)  # internal: child process
    args = parser.parse_args(argv)
    args.fixtures = [f.strip() for f in args.fixtures.split(",") if f.strip()]
    unknown = [f for f in args.fixtures if f not in FIXTURES]
    if unknown:
        parser.error(f"unknown fixtures {unknown}; choose from {', '.join(FIXTURES)}")
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.one:
        run_one(args.one, args)
        return 0

    try:  # fail early, in one line, if the data is missing or bad
        mnist_idx.read_data_sets(args.data_dir)
    except mnist_idx.IdxError as e:
        print(f"write_fixtures: {e}", file=sys.stderr)
        return 2

    failed = []
    for fixture in args.fixtures:
        kind = FIXTURES[fixture][0]
        env = dict(os.environ)
        if kind == "tf1-graph":
            env["TF_USE_LEGACY_KERAS"] = "1"
        else:
            env.pop("TF_USE_LEGACY_KERAS", None)
        name = f"{args.prefix}-{fixture}"
        print(f"== {name} ({kind})", flush=True)
        started = time.monotonic()
        child = [sys.executable, __file__, "--one", fixture, "--data-dir", args.data_dir, "--out", args.out,
                 "--seed", str(args.seed), "--prefix", args.prefix]
        if args.steps is not None:
            child += ["--steps", str(args.steps)]
        if subprocess.run(child, env=env).returncode != 0:
            failed.append(name)
            print(f"== {name} FAILED; the previous fixture, if any, is unchanged", flush=True)
        else:
            print(f"== {name} written to {Path(args.out) / name} in {time.monotonic() - started:.0f} s", flush=True)
    if failed:
        print(f"write_fixtures: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
