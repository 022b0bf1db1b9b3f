"""Checks that Python TensorFlow loads a SavedModel and reproduces the outputs Java computed.

    python check_java_export.py MODEL_DIR EXPECTED_DIR [--atol 1e-5] [--signature serving_default]

EXPECTED_DIR holds inputs.npy (the batch fed to the main input), optionally sequence_length.npy
(int32 [n]), and one <output key>.npy per signature output. Other .npy files (labels.npy) are ignored.

The model is loaded two ways, and every output of each is compared with the expected array:
  tf2  tf.saved_model.load(MODEL_DIR).signatures[SIGNATURE](**inputs)
  tf1  tf.compat.v1.saved_model.loader.load(sess, ["serve"], MODEL_DIR) in graph mode, fed and fetched
       by the tensor names in the MetaGraphDef's signature (the way TF Serving and TF Java load it)
Float outputs must agree within --atol (max absolute difference), integer outputs exactly, and the
signature's method_name must be tensorflow/serving/predict. Prints one line per loader and output;
exits 1 with a message naming the problem on any mismatch or load failure, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

PREDICT_METHOD = "tensorflow/serving/predict"
SEQUENCE_LENGTH_KEY = "sequence_length"


class CheckError(Exception):
    """A failed check; the message says what and where."""


def main_input_key(input_keys) -> str:
    """The input that inputs.npy feeds: `x` if the signature has it, else its only other input
    (a Keras export names its input after the layer, e.g. `keras_tensor`)."""
    keys = [k for k in input_keys if k != SEQUENCE_LENGTH_KEY]
    if "x" in keys:
        return "x"
    if len(keys) == 1:
        return keys[0]
    raise CheckError(f"cannot tell which signature input inputs.npy feeds: inputs are {sorted(input_keys)}")


def signature_feeds(input_keys, inputs: np.ndarray, sequence_length: np.ndarray | None) -> dict:
    feeds = {main_input_key(input_keys): inputs}
    if SEQUENCE_LENGTH_KEY in input_keys:
        if sequence_length is None:
            raise CheckError(f"the signature has a {SEQUENCE_LENGTH_KEY} input but there is no "
                             f"{SEQUENCE_LENGTH_KEY}.npy")
        feeds[SEQUENCE_LENGTH_KEY] = sequence_length
    elif sequence_length is not None:
        raise CheckError(f"{SEQUENCE_LENGTH_KEY}.npy is given but the signature has no {SEQUENCE_LENGTH_KEY} "
                         f"input (inputs: {sorted(input_keys)})")
    extra = set(input_keys) - set(feeds)
    if extra:
        raise CheckError(f"signature inputs {sorted(extra)} have no .npy to feed them")
    return feeds


class GraphModeModel:
    """A SavedModel loaded with the TF1 loader into its own graph and session."""

    def __init__(self, model_dir: str, signature_key: str = "serving_default"):
        import tensorflow as tf

        self._tf1 = tf.compat.v1
        self._tf1.logging.set_verbosity(self._tf1.logging.ERROR)  # "loader.load is deprecated"
        self.graph = tf.Graph()
        self.session = self._tf1.Session(graph=self.graph)
        try:
            with self.graph.as_default():
                meta_graph = self._tf1.saved_model.loader.load(self.session, ["serve"], model_dir)
        except Exception:
            self.session.close()
            raise
        if signature_key not in meta_graph.signature_def:
            self.session.close()
            raise CheckError(f"{model_dir}: no signature '{signature_key}' "
                             f"(has {sorted(meta_graph.signature_def)})")
        self.signature = meta_graph.signature_def[signature_key]
        self.method_name = self.signature.method_name
        self.input_keys = list(self.signature.inputs)
        self.output_keys = list(self.signature.outputs)

    def run(self, feeds: dict) -> dict:
        feed_dict = {self.signature.inputs[k].name: v for k, v in feeds.items()}
        fetches = {k: self.signature.outputs[k].name for k in self.output_keys}
        return self.session.run(fetches, feed_dict=feed_dict)

    def close(self):
        self.session.close()


class EagerModel:
    """A SavedModel loaded with tf.saved_model.load, called through its signature function."""

    def __init__(self, model_dir: str, signature_key: str = "serving_default"):
        import tensorflow as tf

        if not tf.executing_eagerly():
            raise RuntimeError("EagerModel needs eager execution (TF2 behaviour)")
        # Loading a TF1 graph warns once per reference variable that it gets no Python object; expected.
        tf.get_logger().setLevel("ERROR")
        self._tf = tf
        self.loaded = tf.saved_model.load(model_dir)  # keep a reference: it owns the variables
        if signature_key not in self.loaded.signatures:
            raise CheckError(f"{model_dir}: no signature '{signature_key}' "
                             f"(has {sorted(self.loaded.signatures)})")
        self.function = self.loaded.signatures[signature_key]
        self.input_keys = list(self.function.structured_input_signature[1])
        self.output_keys = list(self.function.structured_outputs)

    def run(self, feeds: dict) -> dict:
        specs = self.function.structured_input_signature[1]
        args = {k: self._tf.constant(v, dtype=specs[k].dtype) for k, v in feeds.items()}
        return {k: t.numpy() for k, t in self.function(**args).items()}

    def close(self):
        pass


def compare(loader: str, key: str, actual: np.ndarray, expected: np.ndarray, atol: float) -> tuple[bool, str]:
    """(ok, one line describing the comparison)."""
    head = f"[{loader}] {key}: {actual.dtype} {list(actual.shape)}"
    if actual.shape != expected.shape:
        return False, f"{head} MISMATCH: expected shape {list(expected.shape)}"
    if actual.dtype != expected.dtype:
        return False, f"{head} MISMATCH: expected dtype {expected.dtype}"
    if actual.size == 0:
        return True, f"{head} empty OK"
    if np.issubdtype(actual.dtype, np.floating):
        nan_mismatch = int(np.count_nonzero(np.isnan(actual) != np.isnan(expected)))
        both = ~(np.isnan(actual) | np.isnan(expected))
        diff = float(np.max(np.abs(actual[both].astype(np.float64) - expected[both]), initial=0.0))
        ok = diff <= atol and nan_mismatch == 0
        extra = f", {nan_mismatch} NaN positions differ" if nan_mismatch else ""
        return ok, f"{head} max abs diff {diff:.3g}{extra} {'OK' if ok else f'MISMATCH (atol {atol:g})'}"
    wrong = int(np.count_nonzero(actual != expected))
    diff = int(np.max(np.abs(actual.astype(np.int64) - expected.astype(np.int64))))
    ok = wrong == 0
    return ok, f"{head} max abs diff {diff} {'OK (exact)' if ok else f'MISMATCH: {wrong} elements differ'}"


def load_expected(expected_dir: Path) -> tuple[np.ndarray, np.ndarray | None]:
    inputs_path = expected_dir / "inputs.npy"
    if not inputs_path.is_file():
        raise CheckError(f"{inputs_path} not found")
    inputs = np.load(inputs_path)
    if inputs.dtype != np.float32:
        raise CheckError(f"{inputs_path}: dtype {inputs.dtype}, expected float32")
    seq_path = expected_dir / f"{SEQUENCE_LENGTH_KEY}.npy"
    sequence_length = None
    if seq_path.is_file():
        sequence_length = np.load(seq_path)
        if sequence_length.dtype != np.int32 or sequence_length.shape != inputs.shape[:1]:
            raise CheckError(f"{seq_path}: {sequence_length.dtype} {list(sequence_length.shape)}, "
                             f"expected int32 [{inputs.shape[0]}]")
    return inputs, sequence_length


def check(model_dir: str, expected_dir: str, atol: float = 1e-5, signature_key: str = "serving_default",
          out=print) -> bool:
    """Runs every comparison, printing one line each. Returns True if all pass."""
    model_path, expected_path = Path(model_dir), Path(expected_dir)
    if not (model_path / "saved_model.pb").is_file():
        raise CheckError(f"{model_path}: no saved_model.pb (not a SavedModel directory)")
    inputs, sequence_length = load_expected(expected_path)

    all_ok = True
    for loader_name, loader in (("tf2 saved_model.load", EagerModel), ("tf1 loader.load", GraphModeModel)):
        try:
            model = loader(model_dir, signature_key)
        except CheckError as e:
            out(f"[{loader_name}] FAILED: {e}")
            all_ok = False
            continue
        except Exception as e:  # a load failure is a check result, not a crash
            out(f"[{loader_name}] FAILED to load {model_dir}: {type(e).__name__}: {str(e).strip()[:2000]}")
            all_ok = False
            continue
        try:
            if loader is GraphModeModel and model.method_name != PREDICT_METHOD:
                out(f"[{loader_name}] MISMATCH: signature '{signature_key}' method_name is "
                    f"'{model.method_name}', expected '{PREDICT_METHOD}'")
                all_ok = False
            feeds = signature_feeds(model.input_keys, inputs, sequence_length)
            missing = [k for k in model.output_keys if not (expected_path / f"{k}.npy").is_file()]
            if missing:
                raise CheckError(f"no expected file for outputs {missing} in {expected_path} "
                                 f"(signature outputs: {sorted(model.output_keys)})")
            actual = model.run(feeds)
            for key in sorted(model.output_keys):
                ok, line = compare(loader_name, key, np.asarray(actual[key]),
                                   np.load(expected_path / f"{key}.npy"), atol)
                out(line)
                all_ok &= ok
        except CheckError as e:
            out(f"[{loader_name}] FAILED: {e}")
            all_ok = False
        except Exception as e:
            out(f"[{loader_name}] FAILED to run the signature: {type(e).__name__}: {str(e).strip()[:2000]}")
            all_ok = False
        finally:
            model.close()
    return all_ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", help="SavedModel directory (holds saved_model.pb)")
    parser.add_argument("expected_dir", help="directory with inputs.npy and <output key>.npy files")
    parser.add_argument("--atol", type=float, default=1e-5, help="max abs difference for float outputs")
    parser.add_argument("--signature", default="serving_default")
    args = parser.parse_args(argv)
    try:
        ok = check(args.model_dir, args.expected_dir, args.atol, args.signature)
    except CheckError as e:
        print(f"check_java_export: {e}", file=sys.stderr)
        return 1
    if not ok:
        print(f"check_java_export: FAILED: {args.model_dir} against {args.expected_dir} (see above)",
              file=sys.stderr)
        return 1
    import tensorflow as tf  # already loaded by check(); named so a compatibility run shows it

    print(f"check_java_export: OK, both loaders of TensorFlow {tf.__version__} reproduce {args.expected_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
