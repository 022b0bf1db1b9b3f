package org.tfrnn.nn;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * TF1's {@code BasicLSTMCell}: gates in the order i, j, f, o; {@code forget_bias} added to f;
 * state (c, h). The op sequence follows {@code rnn_cell_impl.BasicLSTMCell.call} so results match
 * Python's to the last bit where the kernels do.
 */
public record BasicLstmCell(int inputSize, int units, float forgetBias) implements RnnCell {
  public static final int C = 0;
  public static final int H = 1;

  public BasicLstmCell {
    RnnCell.requirePositiveSizes(inputSize, units);
  }

  @Override
  public String scopeName() {
    return "basic_lstm_cell";
  }

  @Override
  public int gateCount() {
    return 4;
  }

  @Override
  public int stateSize() {
    return 2;
  }

  @Override
  public int hiddenStateIndex() {
    return H;
  }

  @Override
  public Step activate(Ops tf, Operand<TFloat32> gateInputs, List<Operand<TFloat32>> state) {
    Operand<TFloat32> c = state.get(C);
    List<Operand<TFloat32>> ijfo = Gates.split(tf, gateInputs, 4);
    Operand<TFloat32> newC =
        tf.math.add(
            tf.math.mul(c, tf.math.sigmoid(tf.math.add(ijfo.get(2), tf.constant(forgetBias)))),
            tf.math.mul(tf.math.sigmoid(ijfo.get(0)), tf.math.tanh(ijfo.get(1))));
    Operand<TFloat32> newH = tf.math.mul(tf.math.tanh(newC), tf.math.sigmoid(ijfo.get(3)));
    return new Step(newH, List.of(newC, newH), null);
  }

  /** The bias with {@code forget_bias} added to its f block. */
  @Override
  public Operand<TFloat32> loopBias(Ops tf, Operand<TFloat32> bias) {
    float[] forget = new float[4 * units];
    Arrays.fill(forget, 2 * units, 3 * units, forgetBias);
    return tf.math.add(bias, tf.constant(forget));
  }

  @Override
  public boolean recordsGates() {
    return true;
  }

  /** Records the activated gates [i, j, f, o] as one [batch, 4*units] tensor. */
  @Override
  public Step loopStep(Ops tf, Operand<TFloat32> preActivation, List<Operand<TFloat32>> state) {
    Operand<TInt32> axis = tf.constant(1);
    var ijfo = tf.split(axis, preActivation, 4L).output();
    Operand<TFloat32> i = tf.math.sigmoid(ijfo.get(0));
    Operand<TFloat32> j = tf.math.tanh(ijfo.get(1));
    Operand<TFloat32> f = tf.math.sigmoid(ijfo.get(2));
    Operand<TFloat32> o = tf.math.sigmoid(ijfo.get(3));
    Operand<TFloat32> newC = tf.math.add(tf.math.mul(state.get(C), f), tf.math.mul(i, j));
    Operand<TFloat32> newH = tf.math.mul(tf.math.tanh(newC), o);
    return new Step(newH, List.of(newC, newH), tf.concat(Arrays.asList(i, j, f, o), axis));
  }

  @Override
  public BackwardStep backward(
      Ops tf,
      Operand<TFloat32> gates,
      List<Operand<TFloat32>> previousState,
      List<Operand<TFloat32>> newState,
      List<Operand<TFloat32>> newStateGradient) {
    Operand<TInt32> axis = tf.constant(1);
    var ijfo = tf.split(axis, gates, 4L).output();
    Operand<TFloat32> i = ijfo.get(0);
    Operand<TFloat32> j = ijfo.get(1);
    Operand<TFloat32> f = ijfo.get(2);
    Operand<TFloat32> o = ijfo.get(3);
    Operand<TFloat32> tanhC = tf.math.tanh(newState.get(C));
    Operand<TFloat32> dh = newStateGradient.get(H);

    // h = tanh(c) * o  and  c = c_prev * f + i * j; SigmoidGrad(y, dy) = dy * y * (1 - y) and
    // TanhGrad(y, dy) = dy * (1 - y^2) are TensorFlow's fused kernels for the derivatives.
    Operand<TFloat32> dO = tf.math.sigmoidGrad(o, tf.math.mul(dh, tanhC));
    Operand<TFloat32> dC =
        tf.math.add(newStateGradient.get(C), tf.math.tanhGrad(tanhC, tf.math.mul(dh, o)));
    Operand<TFloat32> dI = tf.math.sigmoidGrad(i, tf.math.mul(dC, j));
    Operand<TFloat32> dJ = tf.math.tanhGrad(j, tf.math.mul(dC, i));
    Operand<TFloat32> dF = tf.math.sigmoidGrad(f, tf.math.mul(dC, previousState.get(C)));
    Operand<TFloat32> dPre = tf.concat(Arrays.asList(dI, dJ, dF, dO), axis);
    Operand<TFloat32> dCPrev = tf.math.mul(dC, f);
    return new BackwardStep(dPre, Arrays.asList(dCPrev, null));
  }
}
