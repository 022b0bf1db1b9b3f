package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tfrnn.tensors.Tensors;

/**
 * The gradients training uses (TensorFlow's native ones for the cells and the dense loss, ours for
 * the sparse loss) against central finite differences of a double-precision plain-Java model.
 * The tolerance is what float32 arithmetic in the graph honestly allows: 2e-5 absolute plus 1e-3
 * relative.
 */
class FiniteDifferenceGradientTest {
  private static final int BATCH = 4;
  private static final int TIME = 3;
  private static final int INPUT = 3;
  private static final int UNITS = 5;
  private static final int CLASSES = 3;

  @ParameterizedTest(name = "{0}, sparse={1}")
  @CsvSource({"LSTM,false", "LSTM,true", "RNN,false", "RNN,true"})
  void lossGradientsEqualFiniteDifferences(ReferenceRnn.Kind kind, boolean sparse) {
    RnnCell cell = kind == ReferenceRnn.Kind.LSTM
        ? new BasicLstmCell(INPUT, UNITS, 1.0f) : new BasicRnnCell(INPUT, UNITS);
    int width = cell.gateCount() * UNITS;
    TestData data = new TestData(31);
    float[] kernel = data.uniform((INPUT + UNITS) * width, 0.6);
    float[] bias = data.uniform(width, 0.3);
    float[] weights = data.uniform(UNITS * CLASSES, 1.0);
    float[] outBias = data.uniform(CLASSES, 0.5);
    float[] x = data.uniform(BATCH * TIME * INPUT, 1.0);
    int[] labels = data.labels(BATCH, CLASSES);

    List<float[]> graphGradients;
    try (RnnGraph graph = new RnnGraph(cell, TIME)) {
      Ops tf = graph.tf;
      Placeholder<TFloat32> w = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> y = tf.placeholder(TInt32.class);
      Operand<TFloat32> logits =
          tf.math.add(tf.linalg.matMul(graph.staticRnn(TIME, false, false).lastOutput(), w), b);
      Operand<TFloat32> loss = sparse
          ? Losses.sparseSoftmaxCrossEntropy(tf, logits, y)
          : Losses.softmaxCrossEntropy(tf, logits,
              tf.oneHot(y, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f)));
      List<Output<?>> grads = Gradients.of(loss, List.of(graph.kernel, graph.bias, w, b));
      graph.feed(graph.kernel, Tensors.floats(kernel, INPUT + UNITS, width));
      graph.feed(graph.bias, Tensors.floats(bias, width));
      graph.feed(graph.x, Tensors.floats(x, BATCH, TIME, INPUT));
      graph.feed(w, Tensors.floats(weights, UNITS, CLASSES));
      graph.feed(b, Tensors.floats(outBias, CLASSES));
      graph.feed(y, Tensors.ints(labels, BATCH));
      graphGradients = graph.run(grads);
    }

    double[][][] inputs = TestData.reshape3(x, BATCH, TIME, INPUT);
    List<double[]> parameters = List.of(TestData.toDouble(kernel), TestData.toDouble(bias),
        TestData.toDouble(weights), TestData.toDouble(outBias));
    ToDoubleFunction<List<double[]>> referenceLoss = p -> {
      ReferenceRnn rnn = new ReferenceRnn(kind, INPUT, UNITS, 1.0, toFloat(p.get(0)),
          toFloat(p.get(1)));
      // Double weights through a float constructor would lose the perturbation: set them directly.
      for (int r = 0; r < INPUT + UNITS; r++) {
        System.arraycopy(p.get(0), r * width, rnn.kernel[r], 0, width);
      }
      System.arraycopy(p.get(1), 0, rnn.bias, 0, width);
      double[][] last = new double[BATCH][];
      ReferenceRnn.Run run = rnn.run(inputs, null);
      for (int i = 0; i < BATCH; i++) {
        last[i] = run.outputs()[i][TIME - 1];
      }
      return ReferenceRnn.softmaxCrossEntropy(
          ReferenceRnn.linear(last, p.get(2), p.get(3)), labels);
    };

    assertGradientsEqualFiniteDifferences(referenceLoss, parameters, graphGradients,
        List.of("kernel", "bias", "output weights", "output bias"));
  }

  /**
   * Each graph gradient against central differences (step 1e-6) of the reference loss in each
   * parameter, within 2e-5 absolute plus 1e-3 relative; each gradient must be large enough to test.
   */
  static void assertGradientsEqualFiniteDifferences(ToDoubleFunction<List<double[]>> referenceLoss,
      List<double[]> parameters, List<float[]> graphGradients, List<String> names) {
    for (int k = 0; k < parameters.size(); k++) {
      double[] numeric = centralDifferences(referenceLoss, parameters, k, 1e-6);
      float[] analytic = graphGradients.get(k);
      assertEquals(numeric.length, analytic.length, names.get(k));
      double largest = 0;
      for (int i = 0; i < numeric.length; i++) {
        largest = Math.max(largest, Math.abs(numeric[i]));
        assertEquals(numeric[i], analytic[i], 2e-5 + 1e-3 * Math.abs(numeric[i]),
            names.get(k) + "[" + i + "]");
      }
      assertTrue(largest > 1e-3, names.get(k) + " gradient too small to test anything");
    }
  }

  @ParameterizedTest
  @CsvSource({"0", "1", "2"})
  void sparseLossGradientEqualsDenseLossGradient(int seed) {
    TestData data = new TestData(40 + seed);
    float[] logitValues = data.uniform(BATCH * CLASSES, 3.0);
    int[] labels = data.labels(BATCH, CLASSES);
    try (RnnGraph graph = new RnnGraph(new BasicRnnCell(1, 1), 1)) {
      Ops tf = graph.tf;
      Placeholder<TFloat32> logits = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> y = tf.placeholder(TInt32.class);
      Operand<TFloat32> sparseLoss = Losses.sparseSoftmaxCrossEntropy(tf, logits, y);
      Operand<TFloat32> denseLoss = Losses.softmaxCrossEntropy(tf, logits,
          tf.oneHot(y, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f)));
      List<Operand<?>> fetches = new ArrayList<>();
      fetches.add(Gradients.of(sparseLoss, List.of(logits)).get(0));
      fetches.add(Gradients.of(denseLoss, List.of(logits)).get(0));
      fetches.add(sparseLoss);
      fetches.add(denseLoss);
      graph.feed(logits, Tensors.floats(logitValues, BATCH, CLASSES));
      graph.feed(y, Tensors.ints(labels, BATCH));
      List<float[]> values = graph.run(fetches);
      RnnForwardTest.assertArrayClose(values.get(1), values.get(0), 1e-7, "d loss / d logits");
      assertEquals(values.get(3)[0], values.get(2)[0], 1e-6, "loss");
    }
  }

  private static double[] centralDifferences(
      ToDoubleFunction<List<double[]>> f, List<double[]> parameters, int which, double h) {
    double[] target = parameters.get(which);
    double[] gradient = new double[target.length];
    for (int i = 0; i < target.length; i++) {
      double saved = target[i];
      target[i] = saved + h;
      double up = f.applyAsDouble(parameters);
      target[i] = saved - h;
      double down = f.applyAsDouble(parameters);
      target[i] = saved;
      gradient[i] = (up - down) / (2 * h);
    }
    return gradient;
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

}
