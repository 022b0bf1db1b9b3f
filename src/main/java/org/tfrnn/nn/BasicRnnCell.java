package org.tfrnn.nn;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** TF1's {@code BasicRNNCell}: {@code h = tanh(concat([x, h]) @ kernel + bias)}; output = state. */
public record BasicRnnCell(int inputSize, int units) implements RnnCell {

  public BasicRnnCell {
    RnnCell.requirePositiveSizes(inputSize, units);
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
  public Step activate(Ops tf, Operand<TFloat32> gateInputs, List<Operand<TFloat32>> state) {
    Operand<TFloat32> output = tf.math.tanh(gateInputs);
    return new Step(output, List.of(output), null);
  }

  /** The new state is the activation, already recorded with the states. */
  @Override
  public boolean recordsGates() {
    return false;
  }

  @Override
  public Step loopStep(Ops tf, Operand<TFloat32> preActivation, List<Operand<TFloat32>> state) {
    return activate(tf, preActivation, state);
  }

  @Override
  public BackwardStep backward(
      Ops tf,
      Operand<TFloat32> gates,
      List<Operand<TFloat32>> previousState,
      List<Operand<TFloat32>> newState,
      List<Operand<TFloat32>> newStateGradient) {
    // Inside a sequence the recorded state is tanh(pre) itself; past its end the gradient
    // arriving here is zero, so the recorded (carried) state is as good as any.
    Operand<TFloat32> dPre = tf.math.tanhGrad(newState.get(0), newStateGradient.get(0));
    return new BackwardStep(dPre, Arrays.asList((Operand<TFloat32>) null));
  }
}
