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
 * The while loop cut into batch lanes (one forward and one backward loop per lane) against the
 * one-lane loop built from the same spec and seed: the same logits, loss and gradient of every
 * trainable variable, for batches that do not split evenly (down to one row: empty lanes), with
 * and without {@code sequence_length}. The one-lane loop itself is checked against the static
 * unroll and finite differences in {@code org.tfrnn.nn}.
 */
class WhileLanesTest {
  private static final double TOLERANCE = 1e-5;

  /** notebook-001: LSTM, head on the last output; notebook-002: RNN, dense on the final h. */
  @ParameterizedTest
  @CsvSource({
      "notebook-001, 2, 5, false", "notebook-001, 3, 5, true", "notebook-001, 2, 1, true",
      "notebook-001, 3, 1, false", "notebook-002, 2, 7, true", "notebook-002, 3, 2, false",
      "notebook-002, 2, 1, false"})
  void lanesGiveTheOneLaneOutputsAndGradients(String preset, int lanes, int batch,
      boolean feedLengths) {
    ModelSpec spec = Presets.named(preset).model().toBuilder()
        .timeSteps(6).inputSize(4).units(5)
        // Plain gradient descent: its update op reads the gradient itself, which the test fetches.
        .optimizer(ModelSpec.Optimizer.GRADIENT_DESCENT).build();
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
      ModelGraph model = ModelBuilder.build(graph, spec.withUnroll(ModelSpec.Unroll.WHILE), lanes);
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

  private static float maxAbs(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
