"""What one batch lane of the fast path's training step is made of, timed untraced on one core.

A lane at batch 128 is a chain of 54 small recurrent matmuls ([64, 128]x[128, 512] forward and
[64, 512]x[512, 128] backward) with about 730 elementwise ops between them. This times the same
kinds of chains alone, in a tf.compat.v1 Session with one thread within an op and one op at a time
(what each lane gets under ./tfrnn train's 1,2 threads):

    python/.venv/bin/python bench/training/step_chain.py

Timing traced steps (compare.sh --profile) inflates each op by the tracer's own cost, so the share
of matmuls there is not the share in an untraced step.
"""

import time

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
STEPS = 27  # 27 forward and 27 backward recurrent matmuls per lane and step (step 0 has none)


def chains(x0):
    rng = np.random.default_rng(0)
    w = tf.constant(rng.standard_normal((128, 512)).astype(np.float32) * 0.05)
    w_t = tf.constant(rng.standard_normal((512, 128)).astype(np.float32) * 0.05)
    out = {}
    x = x0
    for _ in range(STEPS):
        x = tf.matmul(tf.matmul(x, w), w_t)
    out["54 matmuls"] = x
    z = tf.tile(x0, [1, 4])
    for _ in range(2 * STEPS):
        z = tf.tanh(z)
    out["54 tanh on [64, 512]"] = z
    y = x0
    for _ in range(2 * STEPS):
        y = tf.tanh(y)
    out["54 tanh on [64, 128]"] = y
    m = x0
    for _ in range(2 * STEPS):
        m = m * x0
    out["54 mul on [64, 128]"] = m
    return out


def main() -> None:
    graph = tf.Graph()
    with graph.as_default():
        x0 = tf.compat.v1.placeholder(tf.float32, (64, 128))
        outputs = chains(x0)
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    value = np.random.default_rng(1).standard_normal((64, 128)).astype(np.float32)
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        for name, output in outputs.items():
            for _ in range(20):
                session.run(output, {x0: value})
            best = float("inf")
            for _ in range(7):
                start = time.perf_counter()
                for _ in range(50):
                    session.run(output, {x0: value})
                best = min(best, (time.perf_counter() - start) / 50)
            print(f"{name}: {best * 1e3:.2f} ms per chain, {best / 54 * 1e6:.1f} us per op "
                  f"(best of 7 x 50 runs)")


if __name__ == "__main__":
    main()
