package org.tfrnn.nn;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A recurrent cell of the TF1 kind: {@code pre = concat([x, h]) @ kernel + bias}, followed by a
 * cell-specific nonlinearity. The forward step is built from plain ops so both unrolls (static and
 * while loop) share it; the backward step is what back-propagation through time needs.
 */
public interface RnnCell {

  /** The cell's TF1 scope name, e.g. {@code basic_lstm_cell}. */
  String scopeName();

  int inputSize();

  int units();

  /** Number of units blocks in the pre-activation (4 for an LSTM's i, j, f, o; 1 for tanh RNN). */
  int gateCount();

  /** Number of state tensors, each [batch, units] (LSTM: c, h; basic RNN: h). */
  int stateSize();

  /** Which state tensor is the hidden output {@code h}. */
  int hiddenStateIndex();

  /** Creates {@code kernel} [input+units, gates*units] and {@code bias} [gates*units] in {@code scope}. */
  default CellWeights createWeights(Ops scope, Variables variables) {
    var kernel =
        variables.trainable(
            scope, "kernel",
            org.tensorflow.ndarray.Shape.of(inputSize() + units(), (long) gateCount() * units()),
            new Initializer.GlorotUniform());
    var bias =
        variables.trainable(
            scope, "bias", org.tensorflow.ndarray.Shape.of((long) gateCount() * units()),
            new Initializer.Zeros());
    return new CellWeights(kernel, bias);
  }

  /**
   * One forward step: {@code pre = concat([x, h]) @ kernel + bias}, then {@link #activate}. {@code
   * tf} may belong to a while-loop body graph, so every tensor the step uses comes in as an
   * argument.
   */
  default Step step(
      Ops tf, CellWeights weights, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> h = state.get(hiddenStateIndex());
    Operand<TFloat32> preActivation =
        tf.nn.biasAdd(
            tf.linalg.matMul(tf.concat(Arrays.asList(input, h), tf.constant(1)), weights.kernel()),
            weights.bias());
    return activate(tf, preActivation, state);
  }

  /**
   * The step after the matmul: the cell's nonlinearity on {@code preActivation} [batch,
   * gates*units]. This is the static unroll's step; the while loop calls {@link #loopStep}.
   */
  Step activate(Ops tf, Operand<TFloat32> preActivation, List<Operand<TFloat32>> state);

  /**
   * The bias as the while loop adds it, once, to the input projection of all steps before the
   * loop: with any constant that {@link #activate} adds per step folded in (the LSTM's {@code
   * forget_bias} on its f block), so that no iteration adds it.
   */
  default Operand<TFloat32> loopBias(Ops tf, Operand<TFloat32> bias) {
    return bias;
  }

  /**
   * Whether {@link #loopStep} records {@link Step#gates()} for the backward step. A cell whose
   * backward step needs only the recorded states (the tanh RNN: its new state is its activation)
   * returns false, and the loop writes no gate tape.
   */
  boolean recordsGates();

  /**
   * The while loop's step after the matmul: the same function as {@link #activate}, on a
   * pre-activation whose bias is {@link #loopBias}, returning in {@link Step#gates()} what {@link
   * #backward} needs besides the states (the LSTM's gates already activated), or null.
   */
  Step loopStep(Ops tf, Operand<TFloat32> preActivation, List<Operand<TFloat32>> state);

  /**
   * The backward step at one time: given the gates {@link #loopStep} recorded (null if it records
   * none), the previous and new states and the gradient arriving at the new state, returns the
   * gradient of the pre-activation and the part of the previous state's gradient that does not go
   * through the kernel (the caller adds {@code dPre @ kernel_h^T} to the hidden state's). A part
   * that is zero is returned as null, so the loop adds no zeros. The pre-activation's gradient is
   * also its gradient w.r.t. {@link #loopBias}, which differs from the bias by a constant.
   */
  BackwardStep backward(
      Ops tf,
      Operand<TFloat32> gates,
      List<Operand<TFloat32>> previousState,
      List<Operand<TFloat32>> newState,
      List<Operand<TFloat32>> newStateGradient);

  /** The check both cells' constructors make. */
  static void requirePositiveSizes(int inputSize, int units) {
    if (inputSize <= 0 || units <= 0) {
      throw new IllegalArgumentException(
          "inputSize and units must be positive, got " + inputSize + " and " + units);
    }
  }

  /** Kernel and bias of a cell, as variables or as loop-body tensors. */
  record CellWeights(Operand<TFloat32> kernel, Operand<TFloat32> bias) {}

  /**
   * Output of one step; {@code gates} is what {@link #loopStep} records for the backward step
   * (null from {@link #activate} and for cells that record none).
   */
  record Step(Operand<TFloat32> output, List<Operand<TFloat32>> state, Operand<TFloat32> gates) {}

  record BackwardStep(
      Operand<TFloat32> preActivationGradient, List<Operand<TFloat32>> previousStateGradient) {}
}
