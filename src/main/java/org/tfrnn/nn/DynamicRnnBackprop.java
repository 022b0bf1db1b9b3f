package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Back-propagation through time for a {@link DynamicRnn} loop, built from ops: a second while loop
 * runs from the last step to the first, reading the forward loop's {@link DynamicRnn.Tape}.
 *
 * <p>Only the recurrence is inside the loop (the pre-activation gradient and the state gradient
 * it passes back). The kernel, bias and input gradients are sums over all steps, so they are
 * computed after the loop as single large matmuls over [time * batch] rows.
 */
public final class DynamicRnnBackprop {
  private DynamicRnnBackprop() {}

  /** Gradients of the loss with respect to the loop's inputs. */
  public record Result(
      Operand<TFloat32> kernel,
      Operand<TFloat32> bias,
      Operand<TFloat32> inputs,
      List<Operand<TFloat32>> initialState) {}

  /**
   * @param scope where to build (e.g. {@code gradients/rnn})
   * @param outputsGradient gradient of the loss w.r.t. {@code forward.outputs()} [batch, time,
   *     units], or null if the loss does not use the outputs
   * @param finalStateGradient per state part, the gradient w.r.t. {@code forward.finalState()}; the
   *     list or any entry may be null where the loss does not use it
   */
  public static Result build(
      Ops scope,
      DynamicRnn.Result forward,
      Operand<TFloat32> outputsGradient,
      List<Operand<TFloat32>> finalStateGradient) {
    Ops tf = scope;
    DynamicRnn.Tape tape = forward.tape();
    RnnCell cell = tape.cell();
    int inputSize = cell.inputSize();
    int units = cell.units();
    int hidden = cell.hiddenStateIndex();
    long gateWidth = (long) cell.gateCount() * units;
    int[] swapBatchAndTime = {1, 0, 2};

    Operand<TFloat32> kernel = tf.identity(tape.kernel());
    Operand<TFloat32> inputKernel =
        tf.slice(kernel, tf.constant(new int[] {0, 0}), tf.constant(new int[] {inputSize, -1}));
    Operand<TFloat32> recurrentKernel =
        tf.slice(kernel, tf.constant(new int[] {inputSize, 0}), tf.constant(new int[] {-1, -1}));

    // A loss that reads only the final state (notebook 002) sends no gradient into the outputs.
    Operand<TFloat32> outputsGradientTimeMajor = outputsGradient == null
        ? null
        : tf.linalg.transpose(outputsGradient, tf.constant(swapBatchAndTime));
    List<Operand<TFloat32>> stateGradient0 = new ArrayList<>();
    for (int i = 0; i < cell.stateSize(); i++) {
      Operand<TFloat32> given =
          finalStateGradient == null ? null : finalStateGradient.get(i);
      stateGradient0.add(given != null ? given : tf.zerosLike(tape.initialState().get(i)));
    }
    TensorArrays.Ref preActivationGradients =
        TensorArrays.create(tf, tape.timeSteps(), Shape.of(-1, gateWidth));

    // As the forward: first a masked loop over the steps where some sequence has ended (none run
    // without sequence_length), then one without masks down to step 0.
    LoopInputs inputs = new LoopInputs(tape, recurrentKernel, outputsGradientTimeMajor,
        preActivationGradients.handle());
    DynamicRnn.Phase masked = backwardLoop(tf, "masked_while", inputs,
        new DynamicRnn.Phase(tf.math.sub(tape.timeSteps(), tf.constant(1)), stateGradient0,
            preActivationGradients.flow()),
        tape.allRunningSteps(), tape.sequenceLength());
    DynamicRnn.Phase last = backwardLoop(tf, "while", inputs, masked, tf.constant(0), null);

    // Sums over all steps, as [time * batch, ...] matmuls.
    Operand<TFloat32> dPreTimeMajor =
        TensorArrays.stack(tf,
            new TensorArrays.Ref(preActivationGradients.handle(), last.flow()),
            tape.timeSteps(), Shape.of(-1, gateWidth));
    Operand<TFloat32> dPreRows = tf.reshape(dPreTimeMajor, tf.constant(new long[] {-1, gateWidth}));
    Operand<TFloat32> previousHidden =
        TensorArrays.stack(tf, tape.states().get(hidden), tape.timeSteps(), Shape.of(-1, units));
    Operand<TFloat32> cellInputs =
        tf.reshape(
            tf.concat(List.of(tape.inputsTimeMajor(), previousHidden), tf.constant(2)),
            tf.constant(new long[] {-1, inputSize + units}));
    Operand<TFloat32> kernelGradient =
        tf.linalg.matMul(cellInputs, dPreRows, MatMul.transposeA(true));
    Operand<TFloat32> biasGradient = tf.nn.biasAddGrad(dPreRows);
    Operand<TFloat32> inputsGradientTimeMajor =
        tf.reshape(
            tf.linalg.matMul(dPreRows, inputKernel, MatMul.transposeB(true)),
            tf.shape(tape.inputsTimeMajor()));
    Operand<TFloat32> inputsGradient =
        tf.linalg.transpose(inputsGradientTimeMajor, tf.constant(swapBatchAndTime));
    return new Result(kernelGradient, biasGradient, inputsGradient, last.state());
  }

  /** What both loops read and never change. */
  private record LoopInputs(DynamicRnn.Tape tape, Operand<TFloat32> recurrentKernel,
      Operand<TFloat32> outputsGradient, Operand<?> preActivationGradients) {}

  /**
   * Runs the backward step from {@code start} while time >= {@code end}, writing each step's
   * pre-activation gradient. With {@code lengths} (null: every row is inside its sequence), a row
   * at or past its length sends no gradient into the cell: its state was only carried, so its
   * gradient is carried back unchanged.
   */
  private static DynamicRnn.Phase backwardLoop(Ops tf, String name, LoopInputs in,
      DynamicRnn.Phase start, Operand<TInt32> end, Operand<TInt32> lengths) {
    DynamicRnn.Tape tape = in.tape();
    RnnCell cell = tape.cell();
    int hidden = cell.hiddenStateIndex();
    // Only time, the state gradient and the flow change per iteration; the rest enters once.
    Loop loop = new Loop();
    Loop.Slot time = loop.add(start.time());
    List<Loop.Slot> stateGradient = loop.addAll(start.state());
    // The flow orders this loop's writes. The tape's reads take the forward loop's last flow, an
    // invariant: they wait for no earlier iteration, so they are off the recurrence's critical
    // path and may run ahead.
    Loop.Slot flow = loop.add(start.flow());
    Loop.Slot tapeFlow = loop.addInvariant(tape.flow());
    Loop.Slot bound = loop.addInvariant(end);
    Loop.Slot length = lengths == null ? null : loop.addInvariant(lengths);
    Loop.Slot recurrent = loop.addInvariant(in.recurrentKernel());
    Loop.Slot outputGrad =
        in.outputsGradient() == null ? null : loop.addInvariant(in.outputsGradient());
    Loop.Slot gates = tape.gates() == null ? null : loop.addInvariant(tape.gates().handle());
    List<Loop.Slot> states = new ArrayList<>();
    tape.states().forEach(s -> states.add(loop.addInvariant(s.handle())));
    Loop.Slot preActivationGradient = loop.addInvariant(in.preActivationGradients());

    Loop.Values last =
        loop.build(
            tf, name,
            (b, v) -> b.math.greaterEqual(v.ints(time), v.ints(bound)),
            (b, v, next) -> {
              Operand<TInt32> t = v.ints(time);
              Operand<TFloat32> f = v.floats(tapeFlow);
              // The tape holds the state before step t at index t and after it at t + 1.
              Operand<TInt32> afterT = b.math.add(t, b.constant(1));
              List<Operand<TFloat32>> previous = new ArrayList<>();
              List<Operand<TFloat32>> current = new ArrayList<>();
              for (Loop.Slot recorded : states) {
                previous.add(TensorArrays.read(b, v.get(recorded), t, f));
                current.add(TensorArrays.read(b, v.get(recorded), afterT, f));
              }
              Operand<TBool> inSequence = length == null ? null
                  : b.expandDims(b.math.less(t, v.ints(length)), b.constant(-1));
              Operand<TFloat32> outputGradient =
                  outputGrad == null ? null : b.gather(v.floats(outputGrad), t, b.constant(0));

              List<Operand<TFloat32>> intoCell = new ArrayList<>();
              List<Operand<TFloat32>> carried = new ArrayList<>();
              for (int i = 0; i < stateGradient.size(); i++) {
                Operand<TFloat32> g = v.floats(stateGradient.get(i));
                Operand<TFloat32> arriving =
                    i == hidden && outputGradient != null ? b.math.add(g, outputGradient) : g;
                if (inSequence == null) {
                  intoCell.add(arriving);
                } else {
                  Operand<TFloat32> zeros = b.zerosLike(g);
                  intoCell.add(b.select(inSequence, arriving, zeros));
                  carried.add(b.select(inSequence, zeros, g));
                }
              }
              RnnCell.BackwardStep step = cell.backward(b,
                  gates == null ? null : TensorArrays.read(b, v.get(gates), t, f),
                  previous, current, intoCell);
              Operand<TFloat32> dPre = step.preActivationGradient();
              for (int i = 0; i < stateGradient.size(); i++) {
                Operand<TFloat32> g = step.previousStateGradient().get(i);
                if (i == hidden) {
                  Operand<TFloat32> throughKernel =
                      b.linalg.matMul(dPre, v.floats(recurrent), MatMul.transposeB(true));
                  g = g == null ? throughKernel : b.math.add(g, throughKernel);
                }
                if (g == null) {
                  g = b.zerosLike(v.floats(stateGradient.get(i)));
                }
                next.set(stateGradient.get(i),
                    inSequence == null ? g : b.math.add(g, carried.get(i)));
              }
              next.set(flow,
                  TensorArrays.write(b, v.get(preActivationGradient), t, dPre, v.floats(flow)));
              next.set(time, b.math.sub(t, b.constant(1)));
            });
    return new DynamicRnn.Phase(last.ints(time), last.floats(stateGradient), last.floats(flow));
  }
}
