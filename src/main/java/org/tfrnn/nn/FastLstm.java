package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A static unroll of (stacked) {@link BasicLstmCell}s built for speed, with its own backward pass.
 * Same variables as {@code static_rnn} over {@code BasicLSTMCell} / {@code MultiRNNCell} (kernel
 * [input+units, 4*units], bias [4*units], gates i, j, f, o, forget bias added to f), same outputs
 * and gradients; a different graph:
 *
 * <ul>
 *   <li>the kernel is sliced once into its input and recurrent rows, and {@code x*W_x + b} (with
 *       the forget bias folded in) is one [time*batch, input] matmul for all steps, so a step
 *       multiplies only {@code h*W_h} and needs no {@code concat([x, h])};
 *   <li>the zero initial state costs nothing: step 0 has no recurrent matmul;
 *   <li>the forward pass records the activated gates, so the backward pass re-activates nothing;
 *   <li>the kernel, bias and input gradients are sums over all steps, each one large matmul over
 *       [time*batch] rows after the recurrence; inside it only {@code dPre*W_h^T} runs per step;
 *   <li>a stack runs layer by layer: layer k's input rows are layer k-1's outputs, and its input
 *       gradient one matmul that feeds layer k-1's backward pass.
 * </ul>
 *
 * <p>TensorFlow's own gradients cannot see through this (the backward is separate ops), so a
 * caller takes TensorFlow's gradients of the loss up to {@link Result#outputs()} and {@link
 * Result#finalState()} and hands them to {@link #backward}.
 */
public final class FastLstm {
  private FastLstm() {}

  /** One layer: its cell (for the sizes and forget bias), weights and the scope of its ops. */
  public record Layer(BasicLstmCell cell, RnnCell.CellWeights weights, Ops scope) {}

  /**
   * The unroll: the top layer's per-step outputs (each [batch, units], zero past a sequence's end)
   * and the final state flattened as {@code MultiRNNCell} does (c0, h0, c1, h1, ...).
   */
  public record Result(List<Operand<TFloat32>> outputs, List<Operand<TFloat32>> finalState,
      List<Tape> tapes, Operand<TInt32> sequenceLength) {
    public Operand<TFloat32> lastOutput() {
      return outputs.get(outputs.size() - 1);
    }
  }

  /** What one layer's backward pass reads from its forward pass. */
  public static final class Tape {
    final Layer layer;
    final Operand<TFloat32> inputRows;
    final Operand<TFloat32> inputKernel;
    final Operand<TFloat32> recurrentKernel;
    final List<Operand<TFloat32>> i = new ArrayList<>();
    final List<Operand<TFloat32>> j = new ArrayList<>();
    final List<Operand<TFloat32>> f = new ArrayList<>();
    final List<Operand<TFloat32>> o = new ArrayList<>();
    final List<Operand<TFloat32>> tanhC = new ArrayList<>();
    /** The state each step started from (entry 0: the zero state). */
    final List<Operand<TFloat32>> previousC = new ArrayList<>();
    final List<Operand<TFloat32>> previousH = new ArrayList<>();
    final List<Operand<TBool>> running = new ArrayList<>();
    List<Operand<TFloat32>> outputs;
    /** The outputs as the next layer reads them (without the identities). */
    List<Operand<TFloat32>> outputRows;
    Operand<TFloat32> finalC;
    Operand<TFloat32> finalH;

    private Tape(Layer layer, Operand<TFloat32> inputRows, Operand<TFloat32> inputKernel,
        Operand<TFloat32> recurrentKernel) {
      this.layer = layer;
      this.inputRows = inputRows;
      this.inputKernel = inputKernel;
      this.recurrentKernel = recurrentKernel;
    }
  }

  /**
   * Kernel and bias gradients per layer (bottom first) and the input gradient [batch, time, input]
   * (null unless asked for).
   */
  public record Gradients(List<RnnCell.CellWeights> weights, Operand<TFloat32> inputs) {}

  /**
   * Unrolls {@code layers} over {@code x} [batch, time, input] from the zero state.
   *
   * @param tf scope for the ops shared by all layers (input reshaping, masks)
   * @param sequenceLength [batch] int32, or null for full-length sequences (no masking at all)
   */
  public static Result unroll(Ops tf, List<Layer> layers, Operand<TFloat32> x, int timeSteps,
      Operand<TInt32> sequenceLength) {
    if (layers.isEmpty() || timeSteps < 1) {
      throw new IllegalArgumentException("FastLstm needs at least one layer and one time step, got "
          + layers.size() + " and " + timeSteps);
    }
    for (int k = 1; k < layers.size(); k++) {
      if (layers.get(k).cell().inputSize() != layers.get(k - 1).cell().units()) {
        throw new IllegalArgumentException("FastLstm: layer " + k + " takes inputs of size "
            + layers.get(k).cell().inputSize() + " but layer " + (k - 1) + " outputs "
            + layers.get(k - 1).cell().units());
      }
    }
    int inputSize = layers.get(0).cell().inputSize();
    // [batch, time, input] -> time-major rows [time*batch, input]: row t*batch + b.
    Operand<TFloat32> rows = tf.reshape(
        tf.linalg.transpose(x, tf.constant(new int[] {1, 0, 2})),
        tf.constant(new int[] {-1, inputSize}));
    Operand<TFloat32> zeros = tf.fill(
        tf.stack(List.of(tf.gather(tf.shape(x), tf.constant(0), tf.constant(0)),
            tf.constant(layers.get(0).cell().units()))),
        tf.constant(0f));
    List<Operand<TBool>> running = new ArrayList<>(timeSteps);
    for (int t = 0; t < timeSteps; t++) {
      running.add(sequenceLength == null ? null
          : tf.expandDims(tf.math.less(tf.constant(t), sequenceLength), tf.constant(-1)));
    }

    List<Tape> tapes = new ArrayList<>(layers.size());
    List<Operand<TFloat32>> finalState = new ArrayList<>(2 * layers.size());
    List<Operand<TFloat32>> outputs = null;
    for (Layer layer : layers) {
      Operand<TFloat32> layerZeros = layer.cell().units() == layers.get(0).cell().units()
          ? zeros
          : tf.fill(tf.stack(List.of(tf.gather(tf.shape(x), tf.constant(0), tf.constant(0)),
              tf.constant(layer.cell().units()))), tf.constant(0f));
      Tape tape = forwardLayer(layer, rows, timeSteps, layerZeros, running);
      tapes.add(tape);
      outputs = tape.outputs;
      finalState.add(tape.finalC);
      finalState.add(tape.finalH);
      rows = outputs.size() == 1 ? tape.outputRows.get(0)
          : layer.scope().concat(tape.outputRows, layer.scope().constant(0));
    }
    return new Result(outputs, finalState, tapes, sequenceLength);
  }

  private static Tape forwardLayer(Layer layer, Operand<TFloat32> rows, int timeSteps,
      Operand<TFloat32> zeros, List<Operand<TBool>> running) {
    Ops tf = layer.scope();
    BasicLstmCell cell = layer.cell();
    int units = cell.units();
    Operand<TFloat32> kernel = layer.weights().kernel();
    Operand<TFloat32> inputKernel = tf.slice(kernel, tf.constant(new int[] {0, 0}),
        tf.constant(new int[] {cell.inputSize(), -1}));
    Operand<TFloat32> recurrentKernel = tf.slice(kernel,
        tf.constant(new int[] {cell.inputSize(), 0}), tf.constant(new int[] {-1, -1}));
    Tape tape = new Tape(layer, rows, inputKernel, recurrentKernel);

    // BasicLSTMCell adds forget_bias to the f block before its sigmoid; folded into the bias once.
    float[] forget = new float[4 * units];
    Arrays.fill(forget, 2 * units, 3 * units, cell.forgetBias());
    Operand<TFloat32> bias = tf.math.add(layer.weights().bias(), tf.constant(forget));
    Operand<TFloat32> projected = tf.nn.biasAdd(tf.linalg.matMul(rows, inputKernel), bias);
    List<Operand<TFloat32>> projectedSteps = new ArrayList<>(timeSteps);
    if (timeSteps == 1) {
      projectedSteps.add(projected);
    } else {
      tf.split(tf.constant(0), projected, (long) timeSteps).output().forEach(projectedSteps::add);
    }

    Operand<TFloat32> c = zeros;
    Operand<TFloat32> h = zeros;
    List<Operand<TFloat32>> outputs = new ArrayList<>(timeSteps);
    List<Operand<TFloat32>> rowsOut = new ArrayList<>(timeSteps);
    for (int t = 0; t < timeSteps; t++) {
      // From the zero state, h*W_h and c*f are zero: step 0 skips them.
      Operand<TFloat32> pre = t == 0 ? projectedSteps.get(0)
          : tf.math.add(projectedSteps.get(t), tf.linalg.matMul(h, recurrentKernel));
      List<Operand<TFloat32>> ijfo = Gates.split(tf, pre, 4);
      Operand<TFloat32> i = tf.math.sigmoid(ijfo.get(0));
      Operand<TFloat32> j = tf.math.tanh(ijfo.get(1));
      Operand<TFloat32> f = tf.math.sigmoid(ijfo.get(2));
      Operand<TFloat32> o = tf.math.sigmoid(ijfo.get(3));
      Operand<TFloat32> input = tf.math.mul(i, j);
      Operand<TFloat32> newC = t == 0 ? input : tf.math.add(tf.math.mul(c, f), input);
      Operand<TFloat32> tanhC = tf.math.tanh(newC);
      Operand<TFloat32> newH = tf.math.mul(tanhC, o);
      tape.i.add(i);
      tape.j.add(j);
      tape.f.add(f);
      tape.o.add(o);
      tape.tanhC.add(tanhC);
      tape.previousC.add(c);
      tape.previousH.add(h);
      Operand<TBool> inSequence = running.get(t);
      tape.running.add(inSequence);
      if (inSequence == null) {
        // An identity, so that TensorFlow's gradient at an output is the loss's direct one, not
        // the total through later steps; unused outputs are pruned from the step.
        outputs.add(tf.identity(newH));
        rowsOut.add(newH);
        c = newC;
        h = newH;
      } else {
        outputs.add(tf.select(inSequence, newH, zeros));
        rowsOut.add(outputs.get(t));
        c = tf.select(inSequence, newC, c);
        h = tf.select(inSequence, newH, h);
      }
    }
    tape.outputs = outputs;
    tape.outputRows = rowsOut;
    // Identities for the same reason as the outputs' (the last c feeds the last h).
    tape.finalC = running.get(timeSteps - 1) == null ? tf.identity(c) : c;
    tape.finalH = running.get(timeSteps - 1) == null ? tf.identity(h) : h;
    return tape;
  }

  /**
   * The gradients of the loss with respect to every layer's kernel and bias and to {@code x}.
   *
   * @param scope where to build the backward ops (e.g. {@code rnn_backprop})
   * @param outputsGradient per step, the loss's gradient w.r.t. {@code forward.outputs()}; the list
   *     or any entry may be null where the loss does not use that output
   * @param finalStateGradient per part of {@code forward.finalState()}; the list or any entry may
   *     be null
   * @param inputGradient whether to build the gradient w.r.t. {@code x} (a placeholder needs none)
   */
  public static Gradients backward(Ops scope, Result forward,
      List<Operand<TFloat32>> outputsGradient, List<Operand<TFloat32>> finalStateGradient,
      boolean inputGradient) {
    List<Tape> tapes = forward.tapes();
    int timeSteps = forward.outputs().size();
    List<Operand<TFloat32>> outputGrads = outputsGradient != null ? outputsGradient
        : Collections.nCopies(timeSteps, null);
    if (outputGrads.size() != timeSteps) {
      throw new IllegalArgumentException("FastLstm.backward: " + timeSteps
          + " time steps but " + outputGrads.size() + " output gradients");
    }
    List<RnnCell.CellWeights> weights = new ArrayList<>(Collections.nCopies(tapes.size(), null));
    Operand<TFloat32> inputRowsGradient = null;
    for (int k = tapes.size() - 1; k >= 0; k--) {
      Ops tf = scope.withSubScope("layer_" + k);
      Operand<TFloat32> finalC = finalStateGradient == null ? null : finalStateGradient.get(2 * k);
      Operand<TFloat32> finalH =
          finalStateGradient == null ? null : finalStateGradient.get(2 * k + 1);
      LayerGradients layer =
          backwardLayer(tf, tapes.get(k), outputGrads, finalC, finalH, k > 0 || inputGradient);
      weights.set(k, new RnnCell.CellWeights(layer.kernel, layer.bias));
      inputRowsGradient = layer.inputRows;
      if (k > 0) {
        List<Operand<TFloat32>> below = new ArrayList<>(timeSteps);
        if (timeSteps == 1) {
          below.add(inputRowsGradient);
        } else {
          tf.split(tf.constant(0), inputRowsGradient, (long) timeSteps).output()
              .forEach(below::add);
        }
        outputGrads = below;
      }
    }
    if (!inputGradient) {
      return new Gradients(weights, null);
    }
    Ops tf = scope;
    Tape bottom = tapes.get(0);
    // Time-major rows back to [batch, time, input].
    Operand<TFloat32> timeMajor = tf.reshape(inputRowsGradient,
        tf.constant(new int[] {timeSteps, -1, bottom.layer.cell().inputSize()}));
    Operand<TFloat32> inputs = tf.linalg.transpose(timeMajor, tf.constant(new int[] {1, 0, 2}));
    return new Gradients(weights, inputs);
  }

  private record LayerGradients(
      Operand<TFloat32> kernel, Operand<TFloat32> bias, Operand<TFloat32> inputRows) {}

  private static LayerGradients backwardLayer(Ops tf, Tape tape,
      List<Operand<TFloat32>> outputsGradient, Operand<TFloat32> finalCGradient,
      Operand<TFloat32> finalHGradient, boolean inputGradient) {
    int timeSteps = tape.i.size();
    Operand<TFloat32> dc = finalCGradient;
    Operand<TFloat32> dh = finalHGradient;
    Operand<TFloat32>[] dPre = newArray(timeSteps);
    for (int t = timeSteps - 1; t >= 0; t--) {
      Operand<TFloat32> dOut = outputsGradient.get(t);
      Operand<TBool> inSequence = tape.running.get(t);
      Operand<TFloat32> dhNew = sum(tf, dh, dOut);
      Operand<TFloat32> dcNew = dc;
      Operand<TFloat32> dhCarried = null;
      Operand<TFloat32> dcCarried = null;
      if (inSequence != null) {
        // Past a sequence's end the step copied its state through and output zeros.
        Operand<TFloat32> zeros = tf.zerosLike(tape.previousH.get(t));
        dhNew = dhNew == null ? null : tf.select(inSequence, dhNew, zeros);
        dcNew = dcNew == null ? null : tf.select(inSequence, dcNew, zeros);
        dhCarried = dh == null ? null : tf.select(inSequence, zeros, dh);
        dcCarried = dc == null ? null : tf.select(inSequence, zeros, dc);
      }
      if (dhNew == null && dcNew == null) {
        dhNew = tf.zerosLike(tape.previousH.get(t));
      }
      Operand<TFloat32> i = tape.i.get(t);
      Operand<TFloat32> j = tape.j.get(t);
      Operand<TFloat32> f = tape.f.get(t);
      Operand<TFloat32> o = tape.o.get(t);
      Operand<TFloat32> tanhC = tape.tanhC.get(t);
      // h = tanh(c) * o and c = c_prev * f + i * j.
      Operand<TFloat32> dO;
      Operand<TFloat32> dcTotal;
      if (dhNew == null) {
        dO = tf.zerosLike(o);
        dcTotal = dcNew;
      } else {
        dO = tf.math.sigmoidGrad(o, tf.math.mul(dhNew, tanhC));
        dcTotal = sum(tf, dcNew, tf.math.tanhGrad(tanhC, tf.math.mul(dhNew, o)));
      }
      Operand<TFloat32> dI = tf.math.sigmoidGrad(i, tf.math.mul(dcTotal, j));
      Operand<TFloat32> dJ = tf.math.tanhGrad(j, tf.math.mul(dcTotal, i));
      Operand<TFloat32> dF = t == 0 ? tf.zerosLike(f)
          : tf.math.sigmoidGrad(f, tf.math.mul(dcTotal, tape.previousC.get(t)));
      dPre[t] = tf.concat(Arrays.asList(dI, dJ, dF, dO), tf.constant(1));
      if (t > 0) {
        dc = sum(tf, tf.math.mul(dcTotal, f), dcCarried);
        dh = sum(tf, tf.linalg.matMul(dPre[t], tape.recurrentKernel, MatMul.transposeB(true)),
            dhCarried);
      }
    }
    Operand<TFloat32> dPreRows =
        timeSteps == 1 ? dPre[0] : tf.concat(Arrays.asList(dPre), tf.constant(0));
    Operand<TFloat32> previousHRows = timeSteps == 1 ? tape.previousH.get(0)
        : tf.concat(tape.previousH, tf.constant(0));
    Operand<TFloat32> kernel = tf.concat(List.of(
        tf.linalg.matMul(tape.inputRows, dPreRows, MatMul.transposeA(true)),
        tf.linalg.matMul(previousHRows, dPreRows, MatMul.transposeA(true))), tf.constant(0));
    Operand<TFloat32> bias = tf.sum(dPreRows, tf.constant(0));
    Operand<TFloat32> inputRows = inputGradient
        ? tf.linalg.matMul(dPreRows, tape.inputKernel, MatMul.transposeB(true)) : null;
    return new LayerGradients(kernel, bias, inputRows);
  }

  /** a + b where either may be null (a zero that was never built). */
  private static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : tf.math.add(a, b);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32>[] newArray(int n) {
    return (Operand<TFloat32>[]) new Operand<?>[n];
  }
}
