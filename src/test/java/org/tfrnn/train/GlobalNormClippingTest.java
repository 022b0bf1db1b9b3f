package org.tfrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tfrnn.tensors.Tensors;

/** {@code clip_by_global_norm} against the rule written out in plain Java (double precision). */
class GlobalNormClippingTest {
  private static final int[][] SHAPES = {{3, 4}, {7}, {2, 2}};

  /** Three gradients of different shapes with global norm about 4.3. */
  private static List<float[]> gradients() {
    SplittableRandom random = new SplittableRandom(5);
    List<float[]> gradients = new ArrayList<>();
    for (int[] shape : SHAPES) {
      float[] g = new float[shape.length == 1 ? shape[0] : shape[0] * shape[1]];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) (random.nextDouble() * 3 - 1.5);
      }
      gradients.add(g);
    }
    return gradients;
  }

  private static double plainGlobalNorm(List<float[]> gradients) {
    double sum = 0;
    for (float[] g : gradients) {
      for (float v : g) {
        sum += (double) v * v;
      }
    }
    return Math.sqrt(sum);
  }

  /** Runs the clipping; returns the global norm, then each clipped gradient. */
  private static List<float[]> run(List<float[]> gradients, float clipNorm) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      List<Operand<TFloat32>> inputs = new ArrayList<>();
      for (int k = 0; k < gradients.size(); k++) {
        long[] shape = SHAPES[k].length == 1
            ? new long[] {SHAPES[k][0]} : new long[] {SHAPES[k][0], SHAPES[k][1]};
        try (TFloat32 value = Tensors.floats(gradients.get(k), shape)) {
          inputs.add(tf.constantOf(value));
        }
      }
      GlobalNormClipping.Clipped clipped = GlobalNormClipping.clip(tf, inputs, clipNorm);
      Session.Runner runner = session.runner().fetch(clipped.globalNorm());
      clipped.gradients().forEach(runner::fetch);
      try (Result result = runner.run()) {
        return Tensors.toFloatArrays(result);
      }
    }
  }

  @ParameterizedTest(name = "clip norm {0}")
  @ValueSource(floats = {0.5f, 2f, 100f})
  void scalesEveryGradientByClipNormOverTheLargerOfNormAndClipNorm(float clipNorm) {
    List<float[]> gradients = gradients();
    double norm = plainGlobalNorm(gradients);
    assertTrue(norm > 2 && norm < 100, "test data must straddle the clip norms: " + norm);
    double scale = clipNorm / Math.max(norm, clipNorm);

    List<float[]> values = run(gradients, clipNorm);
    assertEquals(norm, values.get(0)[0], 1e-5 * norm, "global norm");
    for (int k = 0; k < gradients.size(); k++) {
      float[] expected = gradients.get(k);
      float[] actual = values.get(1 + k);
      assertEquals(expected.length, actual.length);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i] * scale, actual[i], 1e-6, "gradient " + k + "[" + i + "]");
      }
    }
  }

  @Test
  void aNonFiniteNormMakesEveryGradientNaNAsInTf1() {
    List<float[]> gradients = gradients();
    gradients.get(1)[3] = Float.POSITIVE_INFINITY;
    List<float[]> values = run(gradients, 1f);
    for (int k = 1; k < values.size(); k++) {
      for (float v : values.get(k)) {
        assertTrue(Float.isNaN(v), "gradient " + (k - 1) + " should be NaN, is " + v);
      }
    }
  }

  @Test
  void aClipNormThatIsNotPositiveIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> run(gradients(), 0f));
    assertThrows(IllegalArgumentException.class, () -> run(gradients(), Float.NaN));
  }
}
