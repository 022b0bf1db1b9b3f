package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tfrnn.tensors.Tensors;

/**
 * The fast LSTM against the composed cell: {@link StaticRnn} over {@link BasicLstmCell} (or a
 * {@link MultiRnnCell} stack) differentiated by TensorFlow's own gradients, fed the same weights
 * and inputs. Outputs, final state and every gradient must agree to 1e-5.
 */
class FastLstmTest {
  private static final int BATCH = 3;
  private static final int TIME = 5;
  private static final int INPUT = 4;
  private static final int UNITS = 6;
  private static final float FORGET_BIAS = 1.0f;

  /**
   * Lengths (TIME is 5): none fed (no masks at all); "5 3 1" and "5 0 2" (masked from the first
   * or second step on). useOutputs=false: a loss on the final state only. kernelScale: the kernel's
   * entries are uniform in [-scale, scale]; 2 drives gates into saturation, where the backward
   * pass's sigmoid'(s) and tanh'(j) of the recorded gates lose the most precision.
   */
  @ParameterizedTest(name = "{0} layer(s), lengths={1}, outputs used={2}, kernel scale={3}")
  @CsvSource({"1,-,true,0.6", "1,5 3 1,true,0.6", "1,5 0 2,true,0.6", "1,5 3 1,false,0.6",
      "1,-,false,0.6", "2,-,true,0.6", "2,5 3 1,true,0.6", "2,-,false,0.6", "3,5 5 4,true,0.6",
      "1,-,true,2"})
  void outputsAndGradientsEqualTheComposedCell(int layers, String lengthList, boolean useOutputs,
      double kernelScale) {
    int[] lengths = lengthList.equals("-") ? null
        : Arrays.stream(lengthList.split(" ")).mapToInt(Integer::parseInt).toArray();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      TestData data = new TestData(31 + layers);
      Map<Operand<?>, float[]> feeds = new LinkedHashMap<>();
      Map<Operand<?>, Shape> shapes = new LinkedHashMap<>();
      Placeholder<TFloat32> x = placeholder(tf, feeds, shapes, Shape.of(BATCH, TIME, INPUT),
          data.uniform(BATCH * TIME * INPUT, 1.0));
      Placeholder<TInt32> lengthInput = tf.placeholder(TInt32.class);
      List<BasicLstmCell> cells = new ArrayList<>();
      List<RnnCell.CellWeights> weights = new ArrayList<>();
      for (int k = 0; k < layers; k++) {
        BasicLstmCell cell = new BasicLstmCell(k == 0 ? INPUT : UNITS, UNITS, FORGET_BIAS);
        cells.add(cell);
        int rows = cell.inputSize() + UNITS;
        weights.add(new RnnCell.CellWeights(
            placeholder(tf, feeds, shapes, Shape.of(rows, 4L * UNITS),
                data.uniform(rows * 4 * UNITS, kernelScale)),
            placeholder(tf, feeds, shapes, Shape.of(4L * UNITS), data.uniform(4 * UNITS, 0.3))));
      }
      Operand<TInt32> sequenceLength = lengths == null ? null : lengthInput;

      // The reference: the composed cell, one static_rnn per layer (with lengths) or MultiRNNCell.
      List<Operand<TFloat32>> steps = new ArrayList<>();
      tf.unstack(x, (long) TIME, Unstack.axis(1L)).output().forEach(steps::add);
      List<Operand<TFloat32>> expectedOutputs;
      List<Operand<TFloat32>> expectedState = new ArrayList<>();
      if (layers > 1 && lengths == null) {
        StaticRnn.Result stacked = StaticRnn.unroll(tf.withSubScope("multi"),
            new MultiRnnCell(cells), weights, steps);
        expectedOutputs = stacked.outputs();
        expectedState.addAll(stacked.finalState());
      } else {
        expectedOutputs = steps;
        for (int k = 0; k < layers; k++) {
          StaticRnn.Result layer = StaticRnn.unroll(tf.withSubScope("static_" + k), cells.get(k),
              weights.get(k), expectedOutputs, sequenceLength, null);
          expectedOutputs = layer.outputs();
          expectedState.addAll(layer.finalState());
        }
      }

      List<FastLstm.Layer> fastLayers = new ArrayList<>();
      for (int k = 0; k < layers; k++) {
        fastLayers.add(new FastLstm.Layer(cells.get(k), weights.get(k),
            tf.withSubScope("fast").withSubScope("cell_" + k)));
      }
      FastLstm.Result fast =
          FastLstm.unroll(tf.withSubScope("fast"), fastLayers, x, TIME, sequenceLength);

      // A loss reading every output and state part with its own random weights, so a gradient
      // routed to the wrong step or part cannot cancel out.
      List<Operand<TFloat32>> projections = new ArrayList<>();
      for (int i = 0; i < TIME + 2 * layers; i++) {
        projections.add(tf.constant(Shape.of(BATCH, UNITS),
            DataBuffers.of(data.uniform(BATCH * UNITS, 1.0))));
      }
      Operand<TFloat32> expectedLoss =
          loss(tf, expectedOutputs, expectedState, projections, useOutputs);
      Operand<TFloat32> fastLoss = loss(tf, fast.outputs(), fast.finalState(), projections,
          useOutputs);

      List<Operand<?>> wrt = new ArrayList<>();
      for (RnnCell.CellWeights w : weights) {
        wrt.add(w.kernel());
        wrt.add(w.bias());
      }
      wrt.add(x);
      List<Output<?>> expectedGradients = Gradients.of(expectedLoss, wrt);

      List<Operand<?>> upTo = new ArrayList<>(fast.outputs());
      upTo.addAll(fast.finalState());
      List<Output<?>> upstream = Gradients.of(fastLoss, upTo);
      List<Operand<TFloat32>> outputsGradient = new ArrayList<>();
      for (int t = 0; t < TIME; t++) {
        outputsGradient.add(typed(upstream.get(t)));
      }
      List<Operand<TFloat32>> stateGradient = new ArrayList<>();
      for (int i = 0; i < 2 * layers; i++) {
        stateGradient.add(typed(upstream.get(TIME + i)));
      }
      FastLstm.Gradients gradients = FastLstm.backward(tf.withSubScope("fast_backprop"), fast,
          outputsGradient, stateGradient, true);

      List<Operand<?>> expected = new ArrayList<>();
      List<Operand<?>> actual = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int t = 0; t < TIME; t++) {
        expected.add(expectedOutputs.get(t));
        actual.add(fast.outputs().get(t));
        names.add("output " + t);
      }
      for (int i = 0; i < 2 * layers; i++) {
        expected.add(expectedState.get(i));
        actual.add(fast.finalState().get(i));
        names.add("final state " + i);
      }
      for (int k = 0; k < layers; k++) {
        expected.add(expectedGradients.get(2 * k));
        actual.add(gradients.weights().get(k).kernel());
        names.add("kernel gradient " + k);
        expected.add(expectedGradients.get(2 * k + 1));
        actual.add(gradients.weights().get(k).bias());
        names.add("bias gradient " + k);
      }
      expected.add(expectedGradients.get(2 * layers));
      actual.add(gradients.inputs());
      names.add("input gradient");

      // Identities, as a session refuses to fetch one tensor twice (the last output is final h).
      List<Operand<?>> fetches = new ArrayList<>();
      expected.forEach(e -> fetches.add(tf.identity(e)));
      actual.forEach(a -> fetches.add(tf.identity(a)));
      List<float[]> values = run(graph, feeds, shapes, lengthInput, lengths, fetches);
      int n = expected.size();
      for (int i = 0; i < n; i++) {
        boolean zeroOutput = names.get(i).startsWith("output") && allZero(values.get(i));
        if (zeroOutput) {
          // Every sequence ended before this step: both must output zeros.
          assertEquals(0f, max(values.get(n + i)), names.get(i));
        } else {
          DynamicRnnBackpropTest.assertRelativeClose(values.get(i), values.get(n + i), 1e-5,
              names.get(i));
        }
      }
    }
  }

  @Test
  void noInputGradientUnlessAskedAndLayerSizesChecked() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      BasicLstmCell cell = new BasicLstmCell(INPUT, UNITS, FORGET_BIAS);
      RnnCell.CellWeights weights = new RnnCell.CellWeights(
          tf.placeholder(TFloat32.class), tf.placeholder(TFloat32.class));
      FastLstm.Result fast = FastLstm.unroll(tf, List.of(new FastLstm.Layer(cell, weights, tf)),
          x, TIME, null);
      FastLstm.Gradients gradients =
          FastLstm.backward(tf, fast, null, List.of(fast.finalState().get(0), fast.lastOutput()),
              false);
      assertNull(gradients.inputs());

      BasicLstmCell wrongSize = new BasicLstmCell(UNITS + 1, UNITS, FORGET_BIAS);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> FastLstm.unroll(tf, List.of(new FastLstm.Layer(cell, weights, tf),
              new FastLstm.Layer(wrongSize, weights, tf)), x, TIME, null));
      assertEquals("FastLstm: layer 1 takes inputs of size 7 but layer 0 outputs 6",
          e.getMessage());
    }
  }

  private static Operand<TFloat32> loss(Ops tf, List<Operand<TFloat32>> outputs,
      List<Operand<TFloat32>> finalState, List<Operand<TFloat32>> projections,
      boolean useOutputs) {
    Operand<TFloat32> total = tf.constant(0f);
    Operand<TInt32> all = tf.constant(new int[] {0, 1});
    if (useOutputs) {
      for (int t = 0; t < outputs.size(); t++) {
        total = tf.math.add(total, tf.sum(tf.math.mul(outputs.get(t), projections.get(t)), all));
      }
    }
    for (int i = 0; i < finalState.size(); i++) {
      total = tf.math.add(total, tf.sum(
          tf.math.mul(tf.math.tanh(finalState.get(i)), projections.get(outputs.size() + i)), all));
    }
    return total;
  }

  private static Placeholder<TFloat32> placeholder(Ops tf, Map<Operand<?>, float[]> feeds,
      Map<Operand<?>, Shape> shapes, Shape shape, float[] values) {
    Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
    feeds.put(p, values);
    shapes.put(p, shape);
    return p;
  }

  private static List<float[]> run(Graph graph, Map<Operand<?>, float[]> feeds,
      Map<Operand<?>, Shape> shapes, Operand<TInt32> lengthInput, int[] lengths,
      List<Operand<?>> fetches) {
    List<Tensor> tensors = new ArrayList<>();
    try (Session session = new Session(graph)) {
      Session.Runner runner = session.runner();
      for (var feed : feeds.entrySet()) {
        Tensor t = Tensors.floats(feed.getValue(), shapes.get(feed.getKey()).asArray());
        tensors.add(t);
        runner.feed(feed.getKey(), t);
      }
      if (lengths != null) {
        Tensor t = Tensors.ints(lengths, lengths.length);
        tensors.add(t);
        runner.feed(lengthInput, t);
      }
      fetches.forEach(runner::fetch);
      try (Result result = runner.run()) {
        return Tensors.toFloatArrays(result);
      }
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  private static boolean allZero(float[] values) {
    return max(values) == 0f;
  }

  private static float max(float[] values) {
    float m = 0;
    for (float v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> typed(Output<?> output) {
    return (Operand<TFloat32>) output;
  }
}
