"""One batch lane of the fast path's recurrence (batch 64, 28 steps, LSTM 128) built two ways and
timed untraced on one core: TensorFlow's fused per-step kernels (LSTMBlockCell forward,
LSTMBlockCellGrad plus the recurrent matmul backward: one or two ops per step) against the
composed ops nn/FastLstm uses (12 forward, 15 backward per step). Both in one tf.compat.v1 Session
at one thread within an op and one op at a time, alternated; the two backward results are checked
equal first. Both backward chains start from the LSTMBlockCell forward's tape.

    python/.venv/bin/python bench/training/block_cell_chain.py
"""

import time

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
BATCH, INPUTS, UNITS, STEPS = 64, 28, 128, 28


def build(x):
    rng = np.random.default_rng(0)
    kernel = tf.constant(rng.standard_normal((INPUTS + UNITS, 4 * UNITS)).astype(np.float32) * 0.05)
    bias = tf.constant(np.zeros(4 * UNITS, np.float32))
    recurrent = kernel[INPUTS:]
    zeros, no_peephole = tf.zeros((BATCH, UNITS)), tf.zeros(UNITS)
    steps = tf.unstack(x)

    c, h, tape = zeros, zeros, []
    for t in range(STEPS):
        i, cs, f, o, ci, co, h_new = tf.raw_ops.LSTMBlockCell(
            x=steps[t], cs_prev=c, h_prev=h, w=kernel, wci=no_peephole, wcf=no_peephole,
            wco=no_peephole, b=bias, forget_bias=1.0, cell_clip=-1.0, use_peephole=False)
        tape.append((steps[t], c, h, i, cs, f, o, ci, co))
        c, h = cs, h_new
    forward = h

    def fused_backward():
        dc, dh = zeros, tf.ones((BATCH, UNITS))
        for t in reversed(range(STEPS)):
            xt, c_prev, h_prev, i, cs, f, o, ci, co = tape[t]
            dc, d_gates, _, _, _ = tf.raw_ops.LSTMBlockCellGrad(
                x=xt, cs_prev=c_prev, h_prev=h_prev, w=kernel, wci=no_peephole, wcf=no_peephole,
                wco=no_peephole, b=bias, i=i, cs=cs, f=f, o=o, ci=ci, co=co, cs_grad=dc,
                h_grad=dh, use_peephole=False)
            dh = tf.matmul(d_gates, recurrent, transpose_b=True)
        return dh

    def composed_backward():
        dc, dh = None, tf.ones((BATCH, UNITS))
        for t in reversed(range(STEPS)):
            _, c_prev, _, i, _, f, o, j, tanh_c = tape[t]
            d_o = tf.raw_ops.SigmoidGrad(y=o, dy=dh * tanh_c)
            d_c = tf.raw_ops.TanhGrad(y=tanh_c, dy=dh * o)
            d_c = d_c if dc is None else dc + d_c
            d_i = tf.raw_ops.SigmoidGrad(y=i, dy=d_c * j)
            d_j = tf.raw_ops.TanhGrad(y=j, dy=d_c * i)
            d_f = tf.raw_ops.SigmoidGrad(y=f, dy=d_c * c_prev)
            dc = d_c * f
            dh = tf.matmul(tf.concat([d_i, d_j, d_f, d_o], 1), recurrent, transpose_b=True)
        return dh

    # The composed forward as nn/FastLstm builds it: x*W_x + b for all steps, then h*W_h per step.
    projected = tf.unstack(tf.reshape(
        tf.matmul(tf.reshape(x, (-1, INPUTS)), kernel[:INPUTS]) + bias, (STEPS, BATCH, 4 * UNITS)))
    c, h = zeros, zeros
    for t in range(STEPS):
        i, j, f, o = tf.split(projected[t] + tf.matmul(h, recurrent), 4, axis=1)
        c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
    composed_forward = h

    return {"forward (LSTMBlockCell)": forward, "forward (composed)": composed_forward,
            "forward + LSTMBlockCellGrad backward":
            fused_backward(), "forward + composed backward": composed_backward()}


def main() -> None:
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, (STEPS, BATCH, INPUTS))
        chains = build(x)
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    value = np.random.default_rng(1).standard_normal((STEPS, BATCH, INPUTS)).astype(np.float32)
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        fused, composed = session.run([chains["forward + LSTMBlockCellGrad backward"],
                                       chains["forward + composed backward"]], {x: value})
        print(f"backward results: max |fused - composed| = {np.abs(fused - composed).max():.2e} "
              f"(max |composed| {np.abs(composed).max():.2e})")
        best = {name: float("inf") for name in chains}
        for _ in range(5):  # rounds, alternating the chains
            for name, output in chains.items():
                for _ in range(10):
                    session.run(output, {x: value})
                start = time.perf_counter()
                for _ in range(30):
                    session.run(output, {x: value})
                best[name] = min(best[name], (time.perf_counter() - start) / 30)
        for name, seconds in best.items():
            print(f"{name}: {seconds * 1e3:.2f} ms (best of 5 rounds x 30 runs)")


if __name__ == "__main__":
    main()
