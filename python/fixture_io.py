"""Writing a SavedModel fixture: staging and atomic replacement, expected outputs, fixture.json.

A fixture directory savedmodels/<name>/ holds the SavedModel (saved_model.pb, variables/) and
expected/ with inputs.npy, labels.npy, one <output key>.npy per signature output, and fixture.json.
TensorFlow is imported lazily, so callers decide how it is configured before the first import.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NUM_EXPECTED = 100  # the first 100 MNIST test images


@contextlib.contextmanager
def staged_dir(out_dir: Path, name: str):
    """Yields an empty temporary directory beside out_dir/name; on success it replaces out_dir/name,
    on failure it is deleted, so a failed run never leaves a half-written fixture."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / name
    tmp = out_dir / f".{name}.tmp-{os.getpid()}"
    old = out_dir / f".{name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def describe_savedmodel(model_dir: Path, signature_key: str = "serving_default") -> dict:
    """What the SavedModel on disk declares: signature keys, dtypes and shapes, the TF version that
    wrote it, and every op type it uses (graph and function library), read from saved_model.pb."""
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((model_dir / "saved_model.pb").read_bytes())
    if len(sm.meta_graphs) != 1:
        raise ValueError(f"{model_dir}: {len(sm.meta_graphs)} meta graphs, expected 1")
    mg = sm.meta_graphs[0]
    sig = mg.signature_def[signature_key]

    def spec(info):
        dims = None if info.tensor_shape.unknown_rank else [d.size for d in info.tensor_shape.dim]
        return {"dtype": tf.dtypes.as_dtype(info.dtype).name, "shape": dims, "tensor": info.name}

    ops = {n.op for n in mg.graph_def.node}
    for f in mg.graph_def.library.function:
        ops.update(n.op for n in f.node_def)
    return {
        "saved_model_schema_version": sm.saved_model_schema_version,
        "meta_graph_tags": list(mg.meta_info_def.tags),
        "written_by_tensorflow": mg.meta_info_def.tensorflow_version,
        "method_name": sig.method_name,
        "inputs": {k: spec(v) for k, v in sig.inputs.items()},
        "outputs": {k: spec(v) for k, v in sig.outputs.items()},
        "op_types": sorted(ops),
        "has_object_graph": mg.HasField("object_graph_def") and len(mg.object_graph_def.nodes) > 0,
    }


def write_expected(expected_dir: Path, inputs: np.ndarray, labels: np.ndarray, outputs: dict) -> None:
    expected_dir.mkdir(parents=True, exist_ok=True)
    assert inputs.dtype == np.float32 and inputs.shape[1:] == (28, 28), (inputs.dtype, inputs.shape)
    np.save(expected_dir / "inputs.npy", inputs)
    np.save(expected_dir / "labels.npy", labels.astype(np.int64))
    for key, value in outputs.items():
        np.save(expected_dir / f"{key}.npy", value)


def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")


def versions() -> dict:
    """Versions of what wrote the fixture. keras is Keras 3 (the `keras` package); tf_keras is the
    Keras 2 package whose legacy TF1 cells the tf1-graph fixtures are built from."""
    import tensorflow as tf
    from importlib.metadata import PackageNotFoundError, version

    def pkg(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "tensorflow_version": tf.__version__,
        "tensorflow_package": next((f"{p}=={pkg(p)}" for p in ("tensorflow-cpu", "tensorflow") if pkg(p)), None),
        "keras_version": pkg("keras"),
        "tf_keras_version": pkg("tf-keras"),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }


def run_check(model_dir: Path, expected_dir: Path) -> None:
    """Runs check_java_export.py on a fixture in a fresh process (it needs TF2 eager behaviour,
    which a TF1-graph writer process has switched off)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    result = subprocess.run([sys.executable, str(HERE / "check_java_export.py"), str(model_dir), str(expected_dir)],
                            env=env, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        print(f"  check: {line}")
    if result.returncode != 0:
        raise RuntimeError(f"check_java_export failed on {model_dir}:\n{result.stdout}{result.stderr}")
