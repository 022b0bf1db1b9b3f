package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code tf.nn.static_rnn}: the time axis unrolled by a Java loop, one copy of the cell per step,
 * all sharing one kernel and bias. The graph is differentiable by TensorFlow's own gradients.
 */
public final class StaticRnn {
  private StaticRnn() {}

  /** Per-step outputs (each [batch, units]) and the final state. */
  public record Result(List<Operand<TFloat32>> outputs, List<Operand<TFloat32>> finalState) {
    public Operand<TFloat32> lastOutput() {
      return outputs.get(outputs.size() - 1);
    }
  }

  /** Full-length sequences from the zero state. */
  public static Result unroll(
      Ops cellScope, RnnCell cell, RnnCell.CellWeights weights, List<Operand<TFloat32>> steps) {
    return unroll(cellScope, cell, weights, steps, null, null);
  }

  /**
   * Unrolls {@code cell} over {@code steps}, a list of [batch, input] tensors, as {@code static_rnn}
   * does: the zero state is sized from the first step's batch dimension; with {@code
   * sequenceLength}, outputs past a sequence's end are zero and its state is carried.
   *
   * @param cellScope the cell's scope (e.g. {@code rnn/basic_lstm_cell}) for the step ops
   * @param sequenceLength [batch] int32, or null
   * @param initialState one [batch, units] tensor per state part, or null for zeros
   */
  public static Result unroll(
      Ops cellScope, RnnCell cell, RnnCell.CellWeights weights, List<Operand<TFloat32>> steps,
      Operand<TInt32> sequenceLength, List<Operand<TFloat32>> initialState) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("static_rnn needs at least one time step");
    }
    List<Operand<TFloat32>> state =
        initialState != null ? initialState : zeroState(cellScope, cell, steps.get(0));
    return unroll(cellScope, (input, previous) -> cell.step(cellScope, weights, input, previous),
        steps, sequenceLength, state);
  }

  /**
   * Unrolls a stack of cells ({@code MultiRNNCell}) over full-length {@code steps} from the zero
   * state; the result's final state is the flattened tuple of the cells' states.
   *
   * @param multiScope the stack's scope (e.g. {@code rnn/multi_rnn_cell}) for the step ops
   */
  public static Result unroll(Ops multiScope, MultiRnnCell cell,
      List<RnnCell.CellWeights> weights, List<Operand<TFloat32>> steps) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("static_rnn needs at least one time step");
    }
    return unroll(multiScope, (input, previous) -> cell.step(multiScope, weights, input, previous),
        steps, null, cell.zeroState(multiScope, steps.get(0)));
  }

  /** One cell step: (input, previous state) to output and new state. */
  private interface StepFunction {
    RnnCell.Step apply(Operand<TFloat32> input, List<Operand<TFloat32>> state);
  }

  private static Result unroll(Ops tf, StepFunction cell, List<Operand<TFloat32>> steps,
      Operand<TInt32> sequenceLength, List<Operand<TFloat32>> initialState) {
    List<Operand<TFloat32>> state = initialState;
    List<Operand<TFloat32>> outputs = new ArrayList<>(steps.size());
    for (int t = 0; t < steps.size(); t++) {
      RnnCell.Step step = cell.apply(steps.get(t), state);
      if (sequenceLength == null) {
        outputs.add(step.output());
        state = step.state();
        continue;
      }
      Operand<TBool> inSequence =
          tf.expandDims(tf.math.less(tf.constant(t), sequenceLength), tf.constant(-1));
      outputs.add(tf.select(inSequence, step.output(), tf.zerosLike(step.output())));
      List<Operand<TFloat32>> carried = new ArrayList<>(state.size());
      for (int i = 0; i < state.size(); i++) {
        carried.add(tf.select(inSequence, step.state().get(i), state.get(i)));
      }
      state = carried;
    }
    return new Result(outputs, state);
  }

  /** {@code cell.zero_state(batch)}: one [batch, units] zero tensor per state part. */
  public static List<Operand<TFloat32>> zeroState(
      Ops tf, RnnCell cell, Operand<TFloat32> batchMajorInput) {
    Operand<org.tensorflow.types.TInt32> batch =
        tf.gather(tf.shape(batchMajorInput), tf.constant(0), tf.constant(0));
    Operand<org.tensorflow.types.TInt32> shape =
        tf.stack(List.of(batch, tf.constant(cell.units())));
    Operand<TFloat32> zeros = tf.fill(shape, tf.constant(0f));
    List<Operand<TFloat32>> state = new ArrayList<>(cell.stateSize());
    for (int i = 0; i < cell.stateSize(); i++) {
      state.add(zeros);
    }
    return state;
  }
}
