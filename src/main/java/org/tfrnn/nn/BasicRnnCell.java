package org.tfrnn.nn;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** TF1's {@code BasicRNNCell}: {@code h = tanh(concat([x, h]) @ kernel + bias)}; output = state. */
public record BasicRnnCell(int inputSize, int units) implements RnnCell {

  public BasicRnnCell {
    if (inputSize <= 0 || units <= 0) {
      throw new IllegalArgumentException(
          "inputSize and units must be positive, got " + inputSize + " and " + units);
    }
  }

  @Override
  public String scopeName() {
    return "basic_rnn_cell";
  }

  @Override
  public int gateCount() {
    return 1;
  }

  @Override
  public int stateSize() {
    return 1;
  }

  @Override
  public int hiddenStateIndex() {
    return 0;
  }

  @Override
  public Step step(
      Ops tf, CellWeights weights, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> gateInputs =
        tf.nn.biasAdd(
            tf.linalg.matMul(
                tf.concat(Arrays.asList(input, state.get(0)), tf.constant(1)), weights.kernel()),
            weights.bias());
    Operand<TFloat32> output = tf.math.tanh(gateInputs);
    return new Step(output, List.of(output), gateInputs);
  }

  @Override
  public BackwardStep backward(
      Ops tf,
      Operand<TFloat32> preActivation,
      List<Operand<TFloat32>> previousState,
      List<Operand<TFloat32>> newState,
      List<Operand<TFloat32>> newStateGradient) {
    Operand<TFloat32> h = tf.math.tanh(preActivation);
    Operand<TFloat32> dPre = tf.math.mul(newStateGradient.get(0), Gates.tanhDerivative(tf, h));
    return new BackwardStep(dPre, List.of(tf.zerosLike(h)));
  }
}
