"""The baseline: the same SavedModel called directly from Python TensorFlow, one caller in a loop.

Loads MODEL_DIR with tf.saved_model.load, takes its serving_default signature and calls it on the
first N MNIST test images (inputs.npy) for each batch size, timing each call (including turning the
result into NumPy, as a caller would). Prints one JSON line per batch size:
{"kind": "python", "batch": 1, "calls": ..., "per_s": ..., "p50_ms": ..., "p99_ms": ...}

Usage: python_direct.py MODEL_DIR IMAGES_NPY [--batch-sizes 1,8,64] [--seconds 10] [--warmup 2]
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("images")
    parser.add_argument("--batch-sizes", default="1,8,64")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()

    tf.get_logger().setLevel("ERROR")  # TF1 reference variables: one warning each, harmless
    images = np.load(args.images).astype(np.float32)
    loaded = tf.saved_model.load(args.model)
    signature = loaded.signatures["serving_default"]
    (input_key,) = signature.structured_input_signature[1].keys()

    for batch in [int(b) for b in args.batch_sizes.split(",")]:
        x = tf.constant(np.resize(images, (batch, 28, 28)))

        def call():
            outputs = signature(**{input_key: x})
            return {k: v.numpy() for k, v in outputs.items()}

        end = time.perf_counter() + args.warmup
        while time.perf_counter() < end:
            call()
        latencies = []
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - start)
        latencies = np.array(latencies)
        print(json.dumps({
            "kind": "python", "batch": batch, "calls": len(latencies),
            "per_s": round(len(latencies) / latencies.sum(), 1),
            "p50_ms": round(float(np.percentile(latencies, 50, method="inverted_cdf")) * 1e3, 3),
            "p99_ms": round(float(np.percentile(latencies, 99, method="inverted_cdf")) * 1e3, 3),
        }), flush=True)


if __name__ == "__main__":
    main()
