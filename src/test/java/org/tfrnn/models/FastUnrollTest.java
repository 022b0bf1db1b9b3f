package org.tfrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tfrnn.checkpoint.Tf1Saver;
import org.tfrnn.tensors.Tensors;

/**
 * {@code --unroll fast} against {@code --unroll static} built by the same builder from the same
 * spec and seed: the same variables by TF1 name (so checkpoints and {@code --init-from} cross),
 * and training steps that move every variable alike.
 */
class FastUnrollTest {
  private static final int BATCH = 8;
  private static final double TOLERANCE = 1e-5;

  /**
   * notebook-003: one cell, head on the last output. best: two stacked cells and gradient
   * clipping. notebook-002 as an LSTM: head (dense) on the final state's h.
   */
  @ParameterizedTest
  @ValueSource(strings = {"notebook-003", "best", "notebook-002"})
  void trainsExactlyAsTheStaticUnroll(String presetName) {
    ModelSpec spec = Presets.named(presetName).model().toBuilder()
        .cell(ModelSpec.Cell.BASIC_LSTM)
        // Plain gradient descent, so a step moves each variable by exactly lr * gradient (Adam's
        // first step is nearly the gradient's sign, which hides a wrong magnitude).
        .optimizer(ModelSpec.Optimizer.GRADIENT_DESCENT)
        .unroll(ModelSpec.Unroll.STATIC).build()
        .withLearningRate(0.5f); // large steps, so that each moves the variables visibly
    List<float[]> initial = trainAndRead(spec, 0, 1);
    List<float[]> expected = trainAndRead(spec, 3, 1);
    // The default lanes (2) and 3 (batch 8 cut 3, 3, 2).
    for (int lanes : new int[] {ModelBuilder.FAST_LANES, 3}) {
      List<float[]> actual = trainAndRead(spec.withUnroll(ModelSpec.Unroll.FAST), 3, lanes);
      assertMovedAndClose(initial, expected, actual);
    }
  }

  /** Logits of batches that do not split evenly, down to one image (empty last lane). */
  @ParameterizedTest
  @ValueSource(ints = {1, 5})
  void predictsAnyBatchSizeAsTheStaticUnroll(int batch) {
    ModelSpec spec = Presets.named("best").model();
    float[] expected = logits(spec, batch, 1);
    float[] actual = logits(spec.withUnroll(ModelSpec.Unroll.FAST), batch, ModelBuilder.FAST_LANES);
    assertClose(expected, actual, "logits");
  }

  /** A checkpoint of a trained static model restores by name into a fast one (other seed). */
  @Test
  void checkpointCrossesByName(@TempDir Path tmp) throws Exception {
    ModelSpec spec = Presets.named("best").model();
    String prefix = tmp.resolve("model.ckpt-2").toString();
    float[] expected;
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, spec);
      session.initialize();
      train(session, model, spec, 2, new SplittableRandom(3));
      new Tf1Saver(graph, List.of()).save(session, prefix, Map.of());
      expected = run(session, model, spec, 5);
    }
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelSpec fast = spec.withUnroll(ModelSpec.Unroll.FAST).withSeed(spec.seed() + 1);
      ModelGraph model = ModelBuilder.build(graph, fast);
      session.initialize();
      float[] before = run(session, model, fast, 5);
      new Tf1Saver(graph, List.of()).restore(session, prefix);
      float[] actual = run(session, model, fast, 5);
      assertTrue(Math.abs(before[0] - expected[0]) > 1e-3, "the other seed starts elsewhere");
      assertClose(expected, actual, "logits after restoring");
    }
  }

  private static float[] logits(ModelSpec spec, int batch, int lanes) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, spec, lanes);
      session.initialize();
      return run(session, model, spec, batch);
    }
  }

  /** Logits of {@code batch} random images (the same for every call). */
  private static float[] run(Session session, ModelGraph model, ModelSpec spec, int batch) {
    SplittableRandom random = new SplittableRandom(9);
    float[] images = new float[batch * spec.timeSteps() * spec.inputSize()];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextDouble();
    }
    try (Tensor x = Tensors.floats(images, batch, spec.timeSteps(), spec.inputSize());
        Result result = session.runner().feed(model.images(), x).fetch(model.logits()).run()) {
      return Tensors.toFloatArray(result.get(0));
    }
  }

  private static void assertMovedAndClose(List<float[]> initial, List<float[]> expected,
      List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      // The steps moved every variable by far more than the tolerance: else this proves nothing.
      float moved = 0;
      for (int j = 0; j < initial.get(i).length; j++) {
        moved = Math.max(moved, Math.abs(expected.get(i)[j] - initial.get(i)[j]));
      }
      assertTrue(moved > 20 * TOLERANCE * maxAbs(expected.get(i)), "variable " + i + " moved "
          + moved);
      assertClose(expected.get(i), actual.get(i), "variable " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"notebook-003", "best"})
  void sameVariableNamesAsTheStaticUnroll(String presetName) {
    ModelSpec spec = Presets.named(presetName).model();
    TreeSet<String> staticNames = variableNames(spec.withUnroll(ModelSpec.Unroll.STATIC));
    TreeSet<String> fastNames = variableNames(spec.withUnroll(ModelSpec.Unroll.FAST));
    assertEquals(staticNames, fastNames);
    String kernel = presetName.equals("best")
        ? "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel" : "rnn/basic_lstm_cell/kernel";
    assertTrue(fastNames.contains(kernel), fastNames.toString());
    assertTrue(fastNames.contains(kernel + "/Adam_1"), fastNames.toString());
  }

  @Test
  void fastUnrollIsForLstmsOnly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Presets.named("notebook-002").model().withUnroll(ModelSpec.Unroll.FAST));
    assertEquals("the fast unroll is built for BasicLSTMCell, not BASIC_RNN; use --unroll static "
        + "or while", e.getMessage());
  }

  private static TreeSet<String> variableNames(ModelSpec spec) {
    TreeSet<String> names = new TreeSet<>();
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, spec);
      graph.operations().forEachRemaining(op -> {
        if (op.type().equals("VariableV2")) {
          names.add(op.name());
        }
      });
    }
    return names;
  }

  /** Trains {@code steps} steps on fixed random batches; returns every trainable variable. */
  private static List<float[]> trainAndRead(ModelSpec spec, int steps, int lanes) {
    SplittableRandom random = new SplittableRandom(5);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, spec, lanes);
      session.initialize();
      train(session, model, spec, steps, random);
      List<float[]> values = new ArrayList<>();
      for (var variable : model.trainableVariables()) {
        try (Result result = session.runner().fetch(variable).run()) {
          values.add(Tensors.toFloatArray(result.get(0)));
        }
      }
      return values;
    }
  }

  /** {@code steps} training steps on random batches drawn from {@code random}. */
  private static void train(Session session, ModelGraph model, ModelSpec spec, int steps,
      SplittableRandom random) {
    for (int step = 0; step < steps; step++) {
      float[] images = new float[BATCH * spec.timeSteps() * spec.inputSize()];
      for (int i = 0; i < images.length; i++) {
        images[i] = (float) random.nextDouble();
      }
      int[] labels = new int[BATCH];
      float[] oneHot = new float[BATCH * spec.classes()];
      for (int b = 0; b < BATCH; b++) {
        labels[b] = random.nextInt(spec.classes());
        oneHot[b * spec.classes() + labels[b]] = 1f;
      }
      try (Tensor x = Tensors.floats(images, BATCH, spec.timeSteps(), spec.inputSize());
          Tensor y = model.sparseLabels() ? Tensors.ints(labels, BATCH)
              : Tensors.floats(oneHot, BATCH, spec.classes());
          Result ignored = session.runner().feed(model.images(), x).feed(model.labels(), y)
              .addTarget(model.trainOp()).run()) {
        // one training step
      }
    }
  }

  /** Equal within TOLERANCE of the variable's largest magnitude. */
  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    float scale = maxAbs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOLERANCE * scale, what + "[" + i + "]");
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
