package org.tfrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tfrnn.tensors.Tensors;

/**
 * The while loop and the static unroll cut into batch lanes (per lane one forward and one
 * backward loop, or one unroll) against the one-lane graph built from the same spec and seed: the
 * same logits, loss and gradient of every trainable variable, for batches that do not split evenly
 * (down to one row: empty lanes), with and without {@code sequence_length} (the while loop's
 * input). The one-lane graphs themselves are checked against each other, finite differences and
 * Python in {@code org.tfrnn.nn} and {@code org.tfrnn.lockstep}.
 */
class LanesTest {
  private static final double TOLERANCE = 1e-5;

  /**
   * notebook-001: LSTM, head on the last output; notebook-002: RNN, dense on the final h; best: two
   * stacked LSTMs (static only: the while loop runs one cell).
   */
  @ParameterizedTest
  @CsvSource({
      "notebook-001, WHILE, 2, 5, false", "notebook-001, WHILE, 3, 5, true",
      "notebook-001, WHILE, 2, 1, true", "notebook-001, WHILE, 3, 1, false",
      "notebook-002, WHILE, 2, 7, true", "notebook-002, WHILE, 3, 2, false",
      "notebook-002, WHILE, 2, 1, false",
      "notebook-001, STATIC, 2, 5, false", "notebook-001, STATIC, 3, 1, false",
      "notebook-002, STATIC, 2, 7, false", "notebook-002, STATIC, 3, 2, false",
      "best, STATIC, 2, 5, false", "best, STATIC, 2, 1, false"})
  void lanesGiveTheOneLaneOutputsAndGradients(String preset, ModelSpec.Unroll unroll, int lanes,
      int batch, boolean feedLengths) {
    ModelSpec spec = Presets.named(preset).model().toBuilder()
        .timeSteps(6).inputSize(4).units(5).unroll(unroll)
        // Plain gradient descent: its update op reads the gradient itself, which the test fetches.
        // No clipping: the clipped gradient is a function of all of them, compared already.
        .optimizer(ModelSpec.Optimizer.GRADIENT_DESCENT).clipNorm(0).build();
    TreeMap<String, float[]> expected = run(spec, 1, batch, feedLengths);
    TreeMap<String, float[]> actual = run(spec, lanes, batch, feedLengths);
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      float[] e = expected.get(name);
      // A zero gradient would make the comparison prove nothing.
      assertTrue(maxAbs(e) > 1e-4, name + " is all zero");
      assertEquals(e.length, actual.get(name).length, name);
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i], actual.get(name)[i], TOLERANCE * Math.max(1, maxAbs(e)),
            name + "[" + i + "]");
      }
    }
  }

  /** Logits, loss and each variable's gradient (by variable name) of one batch. */
  private static TreeMap<String, float[]> run(ModelSpec spec, int lanes, int batch,
      boolean feedLengths) {
    SplittableRandom random = new SplittableRandom(11);
    float[] images = new float[batch * spec.timeSteps() * spec.inputSize()];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextDouble() - 0.5f;
    }
    int[] labels = new int[batch];
    float[] oneHot = new float[batch * spec.classes()];
    int[] lengths = new int[batch];
    for (int b = 0; b < batch; b++) {
      labels[b] = random.nextInt(spec.classes());
      oneHot[b * spec.classes() + labels[b]] = 1f;
      // Lengths from 2 to the full 6, so that lanes end at different steps.
      lengths[b] = 2 + random.nextInt(spec.timeSteps() - 1);
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, spec, lanes);
      // The lanes are really there: the batch is cut once per lane-split input (x, and the
      // while loop's sequence_length); one lane cuts nothing.
      long cuts = countOps(graph, "SplitV");
      assertEquals(lanes == 1 ? 0 : spec.unroll() == ModelSpec.Unroll.WHILE ? 2 : 1, cuts,
          "SplitV ops with " + lanes + " lanes");
      session.initialize();
      List<String> names = new ArrayList<>(List.of("logits", "loss"));
      List<Output<?>> fetches = new ArrayList<>(List.of(model.logits().asOutput(),
          model.loss().asOutput()));
      graph.operations().forEachRemaining(op -> {
        if (op.type().equals("ApplyGradientDescent")) {
          GraphOperation update = (GraphOperation) op;
          names.add(update.input(0).op().name());
          fetches.add(update.input(2));
        }
      });
      assertEquals(2 + model.trainableVariables().size(), fetches.size(), names.toString());
      try (Tensor x = Tensors.floats(images, batch, spec.timeSteps(), spec.inputSize());
          Tensor y = model.sparseLabels() ? Tensors.ints(labels, batch)
              : Tensors.floats(oneHot, batch, spec.classes());
          Tensor length = Tensors.ints(lengths, batch)) {
        var runner = session.runner().feed(model.images(), x).feed(model.labels(), y);
        if (feedLengths) {
          runner.feed(model.sequenceLength(), length);
        }
        fetches.forEach(runner::fetch);
        try (Result result = runner.run()) {
          TreeMap<String, float[]> values = new TreeMap<>();
          for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), Tensors.toFloatArray(result.get(i)));
          }
          return values;
        }
      }
    }
  }

  private static long countOps(Graph graph, String type) {
    long count = 0;
    for (var it = graph.operations(); it.hasNext(); ) {
      if (it.next().type().equals(type)) {
        count++;
      }
    }
    return count;
  }

  private static float maxAbs(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
