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
   * The arrays share one flow, {@code flow}, which the loop's last write produced.
   */
  public record Tape(
      RnnCell cell,
      Operand<TFloat32> kernel,
      Operand<TFloat32> inputsTimeMajor,
      Operand<TInt32> sequenceLength,
      Operand<TInt32> shortestSequence,
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

    // Only time, the state and the TensorArrays' flow change per iteration; the rest enters the
    // loop's frame once.
    Loop loop = new Loop();
    Loop.Slot time = loop.add(tf.constant(0));
    List<Loop.Slot> state = loop.addAll(state0);
    Loop.Slot flow = loop.add(flow0);
    Loop.Slot steps = loop.addInvariant(timeSteps);
    Loop.Slot x = loop.addInvariant(projected);
    Loop.Slot length = loop.addInvariant(lengths);
    Operand<TInt32> shortestLength = tf.min(lengths, tf.constant(0));
    Loop.Slot shortest = loop.addInvariant(shortestLength);
    Loop.Slot kernelSlot = loop.addInvariant(recurrentKernel);
    Loop.Slot gateHandle = gateArray == null ? null : loop.addInvariant(gateArray.handle());
    List<Loop.Slot> stateHandles = new ArrayList<>();
    stateArrays.forEach(h -> stateHandles.add(loop.addInvariant(h)));

    Loop.Values last =
        loop.build(
            tf,
            (b, v) -> b.math.less(v.ints(time), v.ints(steps)),
            (b, v, next) -> {
              Operand<TInt32> t = v.ints(time);
              List<Operand<TFloat32>> previous = v.floats(state);
              Operand<TFloat32> preActivation = b.math.add(
                  b.gather(v.floats(x), t, b.constant(0)),
                  b.linalg.matMul(previous.get(cell.hiddenStateIndex()), v.floats(kernelSlot)));
              RnnCell.Step step = cell.loopStep(b, preActivation, previous);
              // While every row is inside its sequence (always, without sequence_length) the new
              // state is taken as is; after the shortest sequence ends, rows past their end
              // carry their state: [batch, 1] SelectV2 masks, which broadcast.
              Cond allRunning = new Cond(b, b.math.less(t, v.ints(shortest)));
              Operand<TBool> inSequence = b.expandDims(
                  b.math.less(allRunning.ifFalse(t), allRunning.ifFalse(v.ints(length))),
                  b.constant(-1));
              Operand<TInt32> nextTime = b.math.add(t, b.constant(1));
              Operand<TFloat32> f = gateHandle == null ? v.floats(flow)
                  : TensorArrays.write(b, v.get(gateHandle), t, step.gates(), v.floats(flow));
              for (int i = 0; i < state.size(); i++) {
                var computed = allRunning.route(step.state().get(i));
                Operand<TFloat32> carried = allRunning.merge(computed.outputTrue(),
                    b.select(inSequence, computed.outputFalse(),
                        allRunning.ifFalse(previous.get(i))));
                next.set(state.get(i), carried);
                f = TensorArrays.write(b, v.get(stateHandles.get(i)), nextTime, carried, f);
              }
              next.set(flow, f);
              next.set(time, nextTime);
            });

    Operand<TFloat32> lastFlow = last.floats(flow);
    List<TensorArrays.Ref> recordedStates = new ArrayList<>();
    stateHandles.forEach(h -> recordedStates.add(new TensorArrays.Ref(last.get(h), lastFlow)));
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
    for (Loop.Slot s : state) {
      finalState.add(tf.identity(last.floats(s)));
    }
    Tape tape =
        new Tape(cell, weights.kernel(), timeMajor, lengths, shortestLength, timeSteps, state0,
            gateHandle == null ? null : new TensorArrays.Ref(last.get(gateHandle), lastFlow),
            recordedStates, lastFlow);
    return new Result(outputs, finalState, tape);
  }
}
