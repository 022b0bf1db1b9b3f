package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tfrnn.tensors.Tensors;

/**
 * The while loop's back-propagation through time against TensorFlow's own gradients of the static
 * unroll, fed the same weights, inputs and initial state.
 */
class DynamicRnnBackpropTest {
  private static final int BATCH = 3;
  private static final int TIME = 5;

  /**
   * A loss that uses every output and every final-state part with different random weights, so a
   * gradient routed to the wrong step or state part cannot cancel out.
   */
  private static Operand<TFloat32> loss(Ops tf, Operand<TFloat32> outputs,
      List<Operand<TFloat32>> finalState, List<Operand<TFloat32>> projections,
      boolean useOutputs) {
    Operand<TFloat32> total = useOutputs
        ? tf.sum(tf.math.mul(outputs, projections.get(0)), tf.constant(new int[] {0, 1, 2}))
        : tf.constant(0f);
    for (int i = 0; i < finalState.size(); i++) {
      Operand<TFloat32> stateTerm = tf.math.tanh(finalState.get(i));
      total = tf.math.add(total, tf.sum(tf.math.mul(stateTerm, projections.get(1 + i)),
          tf.constant(new int[] {0, 1})));
    }
    return total;
  }

  /**
   * useOutputs=false: a loss on the final state only (notebook 002), no gradient into outputs.
   * Lengths (TIME is 5): none fed; all full (the loops' unmasked branch only); "5 5 4" (unmasked
   * until the last step); "5 3 1" and "5 0 2" (masked from the first or second step on).
   */
  @ParameterizedTest(name = "{0}, lengths={1}, outputs used={2}")
  @CsvSource({"LSTM,-,true", "LSTM,5 3 1,true", "RNN,-,true", "RNN,5 3 1,true",
      "LSTM,5 3 1,false", "RNN,5 3 1,false", "LSTM,5 5 5,true", "LSTM,5 5 4,true",
      "RNN,5 5 4,false", "LSTM,5 0 2,true", "RNN,5 0 2,true"})
  void bpttEqualsAutodiffOfStaticUnroll(ReferenceRnn.Kind kind, String lengthList,
      boolean useOutputs) {
    RnnCell cell = RnnForwardTest.cellOf(kind);
    int units = cell.units();
    boolean withLengths = !lengthList.equals("-");
    int[] lengths = withLengths
        ? java.util.Arrays.stream(lengthList.split(" ")).mapToInt(Integer::parseInt).toArray()
        : null;
    try (RnnGraph graph = new RnnGraph(cell, TIME)) {
      Ops tf = graph.tf;
      RnnForwardTest.feedRandom(graph, 21, lengths);
      TestData data = new TestData(22);
      List<Operand<TFloat32>> projections = new ArrayList<>();
      projections.add(tf.constant(org.tensorflow.ndarray.Shape.of(BATCH, TIME, units),
          org.tensorflow.ndarray.buffer.DataBuffers.of(data.uniform(BATCH * TIME * units, 1.0))));
      for (int i = 0; i < cell.stateSize(); i++) {
        projections.add(tf.constant(org.tensorflow.ndarray.Shape.of(BATCH, units),
            org.tensorflow.ndarray.buffer.DataBuffers.of(data.uniform(BATCH * units, 1.0))));
        graph.feed(graph.initialState.get(i),
            Tensors.floats(data.uniform(BATCH * units, 0.5), BATCH, units));
      }

      StaticRnn.Result unrolled = graph.staticRnn(TIME, withLengths, true);
      Operand<TFloat32> staticLoss = loss(tf,
          tf.stack(unrolled.outputs(), Stack.axis(1L)), unrolled.finalState(), projections,
          useOutputs);
      List<Operand<?>> wrt = new ArrayList<>(List.of(graph.kernel, graph.bias, graph.x));
      wrt.addAll(graph.initialState);
      List<Output<?>> expected = Gradients.of(staticLoss, wrt);

      DynamicRnn.Result looped = graph.dynamicRnn(withLengths, true);
      Operand<TFloat32> loopLoss =
          loss(tf, looped.outputs(), looped.finalState(), projections, useOutputs);
      List<Operand<?>> loopOutputs = new ArrayList<>(List.of(looped.outputs()));
      loopOutputs.addAll(looped.finalState());
      List<Output<?>> upstream = Gradients.of(loopLoss, loopOutputs);
      assertEquals(useOutputs, upstream.get(0) != null, "outputs gradient present");
      List<Operand<TFloat32>> finalStateGradient = new ArrayList<>();
      for (int i = 0; i < cell.stateSize(); i++) {
        finalStateGradient.add(typed(upstream.get(1 + i)));
      }
      DynamicRnnBackprop.Result bptt = DynamicRnnBackprop.build(
          tf.withSubScope("bptt"), looped, typed(upstream.get(0)), finalStateGradient);

      List<Operand<?>> fetches = new ArrayList<>(expected);
      fetches.addAll(List.of(bptt.kernel(), bptt.bias(), bptt.inputs()));
      fetches.addAll(bptt.initialState());
      List<float[]> values = graph.run(fetches);

      String[] names = {"kernel", "bias", "inputs", "initial c", "initial h"};
      int n = expected.size();
      for (int i = 0; i < n; i++) {
        String name = cell.stateSize() == 1 && i == 3 ? "initial h" : names[i];
        assertRelativeClose(values.get(i), values.get(n + i), 1e-5, name);
      }
    }
  }

  @Test
  void nativeGradientThroughTheLoopThrowsAndTheJvmCarriesOn() {
    RnnCell cell = new BasicLstmCell(3, 4, 1.0f);
    try (RnnGraph graph = new RnnGraph(cell, -1)) {
      DynamicRnn.Result looped = graph.dynamicRnn(false, false);
      Operand<TFloat32> loss = graph.tf.sum(looped.outputs(), graph.tf.constant(new int[] {0, 1, 2}));

      WhileLoopGradientException e = assertThrows(WhileLoopGradientException.class,
          () -> Gradients.of(loss, List.of(graph.kernel)));
      assertTrue(e.getMessage().contains("DynamicRnnBackprop"), e.getMessage());
      assertTrue(e.getMessage().contains("kernel"), e.getMessage());

      // Still alive, and the same graph still serves gradients up to the loop's outputs.
      List<Output<?>> upToLoop = Gradients.of(loss, List.of(looped.outputs()));
      assertEquals(1, upToLoop.size());
      assertTrue(upToLoop.get(0) != null);
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> typed(Output<?> output) {
    return (Operand<TFloat32>) output;
  }

  /**
   * |a - b| <= max(tol * |b|, 4 float32 ulps of max|b|) element-wise. Near zero a relative bound
   * means nothing: there the loop and the static unroll, which add the matmul halves, the bias and
   * the forget bias in different orders, can only agree to a few roundings of the largest entry.
   * (The floor was 1e-2 * max|b| * tol, one ulp of the largest entry; folding the forget bias into
   * the loop's bias moved an initial-c entry of 1% of the largest by 1.2 ulps.)
   */
  static void assertRelativeClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0, what + " gradient is all zeros: the test would prove nothing");
    for (int i = 0; i < expected.length; i++) {
      double allowed = Math.max(tol * Math.abs(expected[i]), 4 * Math.ulp((float) scale));
      assertEquals(expected[i], actual[i], allowed, what + "[" + i + "]");
    }
  }
}
