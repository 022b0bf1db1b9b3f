package org.tfrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.DataSplit;
import org.tfrnn.data.SequenceDataset;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Presets;

/** The training loop on a data set that is not MNIST: its own time steps, features and classes. */
class TrainerTest {
  private static final int TIME = 6;
  private static final int FEATURES = 3;
  private static final int CLASSES = 3;

  /**
   * Sequences of {@code time x features} uniform noise in which the feature of the label is raised
   * by 0.5 at every step: the class is which feature sums highest, learnable in a few steps.
   */
  private record Synthetic(DataSplit train, DataSplit validation, DataSplit test, int features)
      implements SequenceDataset {
    static Synthetic of(int features, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      return new Synthetic(split(600, features, random), split(100, features, random),
          split(200, features, random), features);
    }

    private static DataSplit split(int size, int features, SplittableRandom random) {
      float[] values = new float[size * TIME * features];
      int[] labels = new int[size];
      for (int n = 0; n < size; n++) {
        labels[n] = random.nextInt(CLASSES);
        for (int t = 0; t < TIME; t++) {
          for (int f = 0; f < features; f++) {
            values[(n * TIME + t) * features + f] =
                (float) random.nextDouble() + (f == labels[n] ? 0.5f : 0f);
          }
        }
      }
      return new DataSplit(values, labels, TIME * features, random.nextLong());
    }

    @Override
    public int timeSteps() {
      return TIME;
    }

    @Override
    public int classes() {
      return CLASSES;
    }

    @Override
    public String description() {
      return "synthetic: 600 train, 100 validation, 200 test sequences";
    }
  }

  /** Notebook 003's model resized to the data set: only the sizes and the rate change. */
  private static ModelSpec spec(ModelSpec.Unroll unroll) {
    return Presets.named("notebook-003").model().toBuilder()
        .timeSteps(TIME).inputSize(FEATURES).classes(CLASSES).units(16).unroll(unroll)
        .learningRate(new LearningRate.Constant(0.02f))
        .build();
  }

  @ParameterizedTest
  @EnumSource(ModelSpec.Unroll.class)
  void trainsOnSequencesOfTheirOwnShape(ModelSpec.Unroll unroll) {
    Synthetic data = Synthetic.of(FEATURES, 3);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, spec(unroll));
      Trainer trainer = new Trainer(session, model);
      double before = trainer.evaluate(data.test(), data.test().size()).accuracy();
      List<Integer> reported = new ArrayList<>();
      Trainer.Summary summary = trainer.train(data, new Trainer.Plan(32, 150, step -> step % 50 == 0, 0),
          new TrainingListener() {
            @Override
            public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
              reported.add(step);
              assertEquals(32, batchSize);
            }
          });
      Evaluation after = trainer.evaluate(data.test(), data.test().size());

      assertEquals(150, summary.steps());
      assertEquals(List.of(50, 100, 150), reported);
      assertEquals(200, after.examples());
      assertEquals(CLASSES, after.confusion().length);
      assertTrue(before < 0.6, "untrained: " + before);
      assertTrue(after.accuracy() >= 0.9, "before " + before + ", after " + after.accuracy());
    }
  }

  @Test
  void aDataSetOfOtherFeaturesIsRefusedBeforeAnyStep() {
    Synthetic data = Synthetic.of(FEATURES + 1, 4);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Trainer trainer = new Trainer(session, ModelBuilder.build(graph, spec(ModelSpec.Unroll.STATIC)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(data, new Trainer.Plan(32, 10, step -> true, 0), TrainingListener.NONE));
      assertEquals("the model takes sequences of 6 steps x 3 features in 3 classes, but the data "
          + "set has 6 x 4 in 3 classes (synthetic: 600 train, 100 validation, 200 test sequences)",
          e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(data.test(), 10));
      assertEquals("an example of 24 values is not a sequence of 6 steps x 3 features, as the model "
          + "takes", e.getMessage());
    }
  }
}
