package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tfrnn.tensors.Tensors;

/**
 * TF1's MultiRNNCell of two BasicLSTMCells of different widths, unrolled statically, against two
 * plain-Java LSTMs where the second reads the first's outputs; its gradients against central
 * finite differences of that double-precision reference.
 */
class MultiRnnCellTest {
  private static final int BATCH = 3;
  private static final int TIME = 4;
  private static final int INPUT = 3;
  private static final int UNITS_0 = 5;
  private static final int UNITS_1 = 4;
  private static final int CLASSES = 3;
  private static final MultiRnnCell STACK = new MultiRnnCell(List.of(
      new BasicLstmCell(INPUT, UNITS_0, 1.0f), new BasicLstmCell(UNITS_0, UNITS_1, 1.0f)));

  /** Random weights for both cells and the input. */
  private static final class Numbers {
    final TestData data = new TestData(77);
    final float[] kernel0 = data.uniform((INPUT + UNITS_0) * 4 * UNITS_0, 0.6);
    final float[] bias0 = data.uniform(4 * UNITS_0, 0.3);
    final float[] kernel1 = data.uniform((UNITS_0 + UNITS_1) * 4 * UNITS_1, 0.6);
    final float[] bias1 = data.uniform(4 * UNITS_1, 0.3);
    final float[] x = data.uniform(BATCH * TIME * INPUT, 1.0);
  }

  /** The stack in a graph, weights and input fed as placeholders. */
  private static final class StackGraph implements AutoCloseable {
    final RnnGraph graph = new RnnGraph(new BasicLstmCell(INPUT, UNITS_0, 1.0f), TIME);
    final Ops tf = graph.tf;
    final List<Placeholder<TFloat32>> weightInputs = new ArrayList<>();
    final StaticRnn.Result result;

    StackGraph(Numbers n) {
      for (int i = 0; i < 4; i++) {
        weightInputs.add(tf.placeholder(TFloat32.class));
      }
      List<RnnCell.CellWeights> weights = List.of(
          new RnnCell.CellWeights(weightInputs.get(0), weightInputs.get(1)),
          new RnnCell.CellWeights(weightInputs.get(2), weightInputs.get(3)));
      List<Operand<TFloat32>> steps = new ArrayList<>();
      tf.unstack(graph.x, (long) TIME, Unstack.axis(1L)).output().forEach(steps::add);
      result = StaticRnn.unroll(tf.withSubScope("rnn").withSubScope(MultiRnnCell.SCOPE), STACK, weights, steps);
      graph.feed(weightInputs.get(0), Tensors.floats(n.kernel0, INPUT + UNITS_0, 4 * UNITS_0));
      graph.feed(weightInputs.get(1), Tensors.floats(n.bias0, 4 * UNITS_0));
      graph.feed(weightInputs.get(2), Tensors.floats(n.kernel1, UNITS_0 + UNITS_1, 4 * UNITS_1));
      graph.feed(weightInputs.get(3), Tensors.floats(n.bias1, 4 * UNITS_1));
      graph.feed(graph.x, Tensors.floats(n.x, BATCH, TIME, INPUT));
    }

    @Override
    public void close() {
      graph.close();
    }
  }

  /** Layer 0 over the input, layer 1 over layer 0's outputs, in double precision. */
  private static ReferenceRnn.Run[] reference(
      double[][][] x, double[] kernel0, double[] bias0, double[] kernel1, double[] bias1) {
    ReferenceRnn.Run first = reference(INPUT, UNITS_0, kernel0, bias0).run(x, null);
    ReferenceRnn.Run second = reference(UNITS_0, UNITS_1, kernel1, bias1).run(first.outputs(), null);
    return new ReferenceRnn.Run[] {first, second};
  }

  private static ReferenceRnn reference(int input, int units, double[] kernel, double[] bias) {
    int width = 4 * units;
    ReferenceRnn rnn = new ReferenceRnn(ReferenceRnn.Kind.LSTM, input, units, 1.0,
        new float[kernel.length], new float[bias.length]);
    for (int r = 0; r < input + units; r++) {
      System.arraycopy(kernel, r * width, rnn.kernel[r], 0, width);
    }
    System.arraycopy(bias, 0, rnn.bias, 0, width);
    return rnn;
  }

  @Test
  void outputsAndStateTupleEqualTwoStackedPlainJavaLstms() {
    Numbers n = new Numbers();
    List<float[]> values;
    try (StackGraph stack = new StackGraph(n)) {
      // The last output is the top cell's h: one tensor, fetched once (as state h1).
      assertEquals(stack.result.lastOutput().asOutput(),
          stack.result.finalState().get(STACK.hiddenStateIndex()).asOutput());
      List<Operand<?>> fetches = new ArrayList<>(stack.result.outputs().subList(0, TIME - 1));
      fetches.addAll(stack.result.finalState());
      values = stack.graph.run(fetches);
    }
    ReferenceRnn.Run[] runs = reference(TestData.reshape3(n.x, BATCH, TIME, INPUT),
        TestData.toDouble(n.kernel0), TestData.toDouble(n.bias0),
        TestData.toDouble(n.kernel1), TestData.toDouble(n.bias1));
    for (int t = 0; t < TIME; t++) {
      float[] output = values.get(t < TIME - 1 ? t : TIME - 1 + STACK.hiddenStateIndex());
      for (int b = 0; b < BATCH; b++) {
        for (int u = 0; u < UNITS_1; u++) {
          assertEquals(runs[1].outputs()[b][t][u], output[b * UNITS_1 + u], 1e-6,
              "output t=" + t + " b=" + b + " u=" + u);
        }
      }
    }
    // State tuple ((c0, h0), (c1, h1)), flattened in that order.
    double[][][] expectedState = {runs[0].finalC(), runs[0].finalH(), runs[1].finalC(),
        runs[1].finalH()};
    String[] names = {"c0", "h0", "c1", "h1"};
    assertEquals(4, STACK.stateSize());
    assertEquals(3, STACK.hiddenStateIndex());
    for (int s = 0; s < 4; s++) {
      float[] actual = values.get(TIME - 1 + s);
      int units = s < 2 ? UNITS_0 : UNITS_1;
      for (int b = 0; b < BATCH; b++) {
        for (int u = 0; u < units; u++) {
          assertEquals(expectedState[s][b][u], actual[b * units + u], 1e-6, names[s]);
        }
      }
    }
  }

  @Test
  void gradientsOfBothCellsEqualFiniteDifferences() {
    Numbers n = new Numbers();
    float[] outWeights = n.data.uniform(UNITS_1 * CLASSES, 1.0);
    float[] outBias = n.data.uniform(CLASSES, 0.5);
    int[] labels = n.data.labels(BATCH, CLASSES);
    List<float[]> graphGradients;
    try (StackGraph stack = new StackGraph(n)) {
      Ops tf = stack.tf;
      Placeholder<TFloat32> w = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH)));
      Operand<TFloat32> logits =
          tf.math.add(tf.linalg.matMul(stack.result.lastOutput(), w), b);
      Operand<TFloat32> loss = Losses.softmaxCrossEntropy(tf, logits,
          tf.oneHot(y, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f)));
      List<Operand<?>> wrt = new ArrayList<>(stack.weightInputs);
      wrt.add(w);
      wrt.add(b);
      List<Output<?>> gradients = Gradients.of(loss, wrt);
      stack.graph.feed(w, Tensors.floats(outWeights, UNITS_1, CLASSES));
      stack.graph.feed(b, Tensors.floats(outBias, CLASSES));
      stack.graph.feed(y, Tensors.ints(labels, BATCH));
      graphGradients = stack.graph.run(gradients);
    }

    double[][][] inputs = TestData.reshape3(n.x, BATCH, TIME, INPUT);
    List<double[]> parameters = List.of(TestData.toDouble(n.kernel0), TestData.toDouble(n.bias0),
        TestData.toDouble(n.kernel1), TestData.toDouble(n.bias1), TestData.toDouble(outWeights),
        TestData.toDouble(outBias));
    ToDoubleFunction<List<double[]>> referenceLoss = p -> {
      ReferenceRnn.Run top = reference(inputs, p.get(0), p.get(1), p.get(2), p.get(3))[1];
      double[][] last = new double[BATCH][];
      for (int i = 0; i < BATCH; i++) {
        last[i] = top.outputs()[i][TIME - 1];
      }
      return ReferenceRnn.softmaxCrossEntropy(
          ReferenceRnn.linear(last, p.get(4), p.get(5)), labels);
    };
    FiniteDifferenceGradientTest.assertGradientsEqualFiniteDifferences(referenceLoss, parameters,
        graphGradients, List.of("cell_0 kernel", "cell_0 bias", "cell_1 kernel", "cell_1 bias",
            "output weights", "output bias"));
  }

  @Test
  void cellsWhoseSizesDoNotChainAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MultiRnnCell(List.of(new BasicLstmCell(3, 5, 1f), new BasicLstmCell(4, 5, 1f))));
    assertTrue(e.getMessage().contains("cell_1 takes inputs of size 4 but cell_0 outputs 5"),
        e.getMessage());
  }
}
