package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code tf.nn.dynamic_rnn}: one TensorFlow while loop over time instead of one cell copy per
 * step, so the number of steps may be unknown until run time.
 *
 * <p>Semantics follow TF's: with {@code sequence_length}, outputs past a sequence's length are
 * zero and its state is carried unchanged. The loop also records, per step, the state and what
 * else the cell's backward step needs (the LSTM's gates, already activated): the {@link Tape} that
 * {@link DynamicRnnBackprop} reads in reverse, since TensorFlow's own gradient cannot pass this
 * loop (see {@link Gradients}).
 */
public final class DynamicRnn {
  private DynamicRnn() {}

  /**
   * @param outputs [batch, time, units], zero past each sequence's length
   * @param finalState one [batch, units] tensor per state part (LSTM: c, h)
   */
  public record Result(Operand<TFloat32> outputs, List<Operand<TFloat32>> finalState, Tape tape) {}

  /**
   * What the forward loop keeps for back-propagation through time. Each of {@code states} has
   * {@code timeSteps + 1} elements: the initial state at 0, the (carried) state after step t at
   * t+1; {@code gates} (null unless {@link RnnCell#recordsGates()}) has the gates of step t at t.
   * The arrays share one flow, {@code flow}, which the loop's last write produced. For the first
   * {@code allRunningSteps} steps every sequence runs (no masks).
   */
  public record Tape(
      RnnCell cell,
      Operand<TFloat32> kernel,
      Operand<TFloat32> inputsTimeMajor,
      Operand<TInt32> sequenceLength,
      Operand<TInt32> allRunningSteps,
      Operand<TInt32> timeSteps,
      List<Operand<TFloat32>> initialState,
      TensorArrays.Ref gates,
      List<TensorArrays.Ref> states,
      Operand<TFloat32> flow) {}

  /**
   * Builds the loop in {@code rnnScope} (TF1 names it {@code rnn}).
   *
   * @param inputs [batch, time, input]; time may be unknown when the graph is built
   * @param sequenceLength [batch] int32, or null for full-length sequences
   * @param initialState one [batch, units] tensor per state part, or null for zeros
   */
  public static Result build(
      Ops rnnScope,
      RnnCell cell,
      RnnCell.CellWeights weights,
      Operand<TFloat32> inputs,
      Operand<TInt32> sequenceLength,
      List<Operand<TFloat32>> initialState) {
    Ops tf = rnnScope;
    Operand<TFloat32> timeMajor = tf.linalg.transpose(inputs, tf.constant(new int[] {1, 0, 2}));
    Operand<TInt32> shape = tf.shape(timeMajor);
    Operand<TInt32> timeSteps = tf.gather(shape, tf.constant(0), tf.constant(0));
    Operand<TInt32> batch = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TInt32> lengths =
        sequenceLength != null ? sequenceLength : tf.fill(tf.stack(List.of(batch)), timeSteps);
    List<Operand<TFloat32>> state0 =
        initialState != null ? initialState : StaticRnn.zeroState(tf, cell, inputs);
    if (state0.size() != cell.stateSize()) {
      throw new IllegalArgumentException(
          cell.scopeName() + " has " + cell.stateSize() + " state parts, got " + state0.size());
    }

    Shape unitsShape = Shape.of(-1, cell.units());
    long gateWidth = (long) cell.gateCount() * cell.units();
    Shape gatesShape = Shape.of(-1, gateWidth);
    // One flow value orders every TensorArray access of the loop (a flow is only an ordering
    // token), so the arrays cost one shared loop variable; their handles enter the loop once.
    TensorArrays.Ref gateArray =
        cell.recordsGates() ? TensorArrays.create(tf, timeSteps, gatesShape) : null;
    Operand<TFloat32> flow0 = gateArray != null ? gateArray.flow() : null;
    Operand<TInt32> timeStepsPlusOne = tf.math.add(timeSteps, tf.constant(1));
    List<Operand<?>> stateArrays = new ArrayList<>();
    for (int i = 0; i < cell.stateSize(); i++) {
      TensorArrays.Ref array = TensorArrays.create(tf, timeStepsPlusOne, unitsShape);
      stateArrays.add(array.handle());
      flow0 = TensorArrays.write(tf, array.handle(), tf.constant(0), state0.get(i),
          flow0 != null ? flow0 : array.flow());
    }
    // The input's part of every step's pre-activation, x @ kernel_x + bias, is one
    // [time * batch, input] matmul before the loop; the loop multiplies only h @ kernel_h. The
    // bias is the cell's loop bias (the LSTM's forget_bias folded in), added here once.
    // (Slices of the variables are values: a float_ref loop variable is rejected by the C API.)
    Operand<TFloat32> inputKernel = tf.slice(weights.kernel(),
        tf.constant(new int[] {0, 0}), tf.constant(new int[] {cell.inputSize(), -1}));
    Operand<TFloat32> recurrentKernel = tf.slice(weights.kernel(),
        tf.constant(new int[] {cell.inputSize(), 0}), tf.constant(new int[] {-1, -1}));
    Operand<TFloat32> inputRows =
        tf.reshape(timeMajor, tf.constant(new long[] {-1, cell.inputSize()}));
    Operand<TFloat32> projected = tf.reshape(
        tf.nn.biasAdd(
            tf.linalg.matMul(inputRows, inputKernel), cell.loopBias(tf, weights.bias())),
        tf.stack(List.of(timeSteps, batch, tf.constant((int) gateWidth))));

    // Two loops over time: the first while every sequence is running (t < min(sequence_length),
    // all of them without sequence_length) steps the cell with no masks at all; the second, from
    // there to the last step, carries the state of rows past their sequence's end. Each is its
    // own frame; the second runs no iteration when every sequence is full length.
    Operand<TInt32> shortestLength = tf.min(lengths, tf.constant(0));
    Operand<TInt32> allRunningSteps =
        tf.math.maximum(tf.math.minimum(shortestLength, timeSteps), tf.constant(0));
    LoopInputs invariants = new LoopInputs(cell, projected, recurrentKernel,
        gateArray == null ? null : gateArray.handle(), stateArrays);
    Phase running = forwardLoop(tf, "while", invariants,
        new Phase(tf.constant(0), state0, flow0), allRunningSteps, null);
    Phase last = forwardLoop(tf, "masked_while", invariants, running, timeSteps, lengths);

    Operand<TFloat32> lastFlow = last.flow();
    List<TensorArrays.Ref> recordedStates = new ArrayList<>();
    stateArrays.forEach(h -> recordedStates.add(new TensorArrays.Ref(h, lastFlow)));
    // The output at t is the hidden state after t inside a sequence, zero past its end: masked
    // here once for all steps instead of once per step inside the loop.
    Operand<TFloat32> hiddenTimeMajor = TensorArrays.stack(tf,
        recordedStates.get(cell.hiddenStateIndex()), tf.constant(1), timeStepsPlusOne, unitsShape);
    Operand<TBool> inSequence = tf.expandDims(
        tf.math.less(
            tf.expandDims(tf.range(tf.constant(0), timeSteps, tf.constant(1)), tf.constant(1)),
            tf.expandDims(lengths, tf.constant(0))),
        tf.constant(-1));
    Operand<TFloat32> outputsTimeMajor =
        tf.select(inSequence, hiddenTimeMajor, tf.zerosLike(hiddenTimeMajor));
    Operand<TFloat32> outputs =
        tf.linalg.transpose(outputsTimeMajor, tf.constant(new int[] {1, 0, 2}));
    List<Operand<TFloat32>> finalState = new ArrayList<>();
    for (Operand<TFloat32> part : last.state()) {
      finalState.add(tf.identity(part));
    }
    Tape tape =
        new Tape(cell, weights.kernel(), timeMajor, lengths, allRunningSteps, timeSteps, state0,
            gateArray == null ? null : new TensorArrays.Ref(gateArray.handle(), lastFlow),
            recordedStates, lastFlow);
    return new Result(outputs, finalState, tape);
  }

  /**
   * A loop's values where one of the two loops hands over to the other: time, the state parts (or
   * their gradients, in {@link DynamicRnnBackprop}), the flow of the TensorArrays it writes.
   */
  record Phase(
      Operand<TInt32> time, List<Operand<TFloat32>> state, Operand<TFloat32> flow) {}

  /** What both loops read and never change. */
  private record LoopInputs(RnnCell cell, Operand<TFloat32> projected,
      Operand<TFloat32> recurrentKernel, Operand<?> gateArray, List<Operand<?>> stateArrays) {}

  /**
   * Steps the cell from {@code start} while time < {@code end}, writing the tape. With {@code
   * lengths} (null: every row is inside its sequence), a row at or past its length carries its
   * state instead: [batch, 1] SelectV2 masks, which broadcast.
   */
  private static Phase forwardLoop(Ops tf, String name, LoopInputs in, Phase start,
      Operand<TInt32> end, Operand<TInt32> lengths) {
    RnnCell cell = in.cell();
    // Only time, the state and the TensorArrays' flow change per iteration; the rest enters the
    // loop's frame once.
    Loop loop = new Loop();
    Loop.Slot time = loop.add(start.time());
    List<Loop.Slot> state = loop.addAll(start.state());
    Loop.Slot flow = loop.add(start.flow());
    Loop.Slot bound = loop.addInvariant(end);
    Loop.Slot x = loop.addInvariant(in.projected());
    Loop.Slot length = lengths == null ? null : loop.addInvariant(lengths);
    Loop.Slot kernel = loop.addInvariant(in.recurrentKernel());
    Loop.Slot gates = in.gateArray() == null ? null : loop.addInvariant(in.gateArray());
    List<Loop.Slot> stateArrays = new ArrayList<>();
    in.stateArrays().forEach(h -> stateArrays.add(loop.addInvariant(h)));

    Loop.Values last =
        loop.build(
            tf, name,
            (b, v) -> b.math.less(v.ints(time), v.ints(bound)),
            (b, v, next) -> {
              Operand<TInt32> t = v.ints(time);
              List<Operand<TFloat32>> previous = v.floats(state);
              Operand<TFloat32> preActivation = b.math.add(
                  b.gather(v.floats(x), t, b.constant(0)),
                  b.linalg.matMul(previous.get(cell.hiddenStateIndex()), v.floats(kernel)));
              RnnCell.Step step = cell.loopStep(b, preActivation, previous);
              Operand<TBool> inSequence = length == null ? null
                  : b.expandDims(b.math.less(t, v.ints(length)), b.constant(-1));
              Operand<TInt32> nextTime = b.math.add(t, b.constant(1));
              Operand<TFloat32> f = gates == null ? v.floats(flow)
                  : TensorArrays.write(b, v.get(gates), t, step.gates(), v.floats(flow));
              for (int i = 0; i < state.size(); i++) {
                Operand<TFloat32> newState = inSequence == null ? step.state().get(i)
                    : b.select(inSequence, step.state().get(i), previous.get(i));
                next.set(state.get(i), newState);
                f = TensorArrays.write(b, v.get(stateArrays.get(i)), nextTime, newState, f);
              }
              next.set(flow, f);
              next.set(time, nextTime);
            });
    return new Phase(last.ints(time), last.floats(state), last.floats(flow));
  }
}
