package org.tfrnn.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.data.DataFiles;
import org.tfrnn.data.TestFiles;
import org.tfrnn.models.Presets;

/**
 * A data set that is not MNIST: sequences of 5 steps x 3 features in 4 classes, where class c is
 * a spike at step c + 1, feature c % 3, over noise. The model is built from the files' shapes.
 */
class OwnDataTrainingTest {
  private static final int STEPS = 5;
  private static final int FEATURES = 3;
  private static final int CLASSES = 4;

  static void write(Path images, Path labels, int count, long seed, boolean gzip)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[count * STEPS * FEATURES];
    byte[] classes = new byte[count];
    for (int i = 0; i < count; i++) {
      int c = random.nextInt(CLASSES);
      classes[i] = (byte) c;
      for (int v = 0; v < STEPS * FEATURES; v++) {
        pixels[i * STEPS * FEATURES + v] = (byte) random.nextInt(60);
      }
      pixels[i * STEPS * FEATURES + (c + 1) * FEATURES + c % FEATURES] = (byte) 255;
    }
    byte[] imageFile = TestFiles.idx(new int[] {count, STEPS, FEATURES}, pixels);
    Files.write(images, gzip ? TestFiles.gzip(imageFile) : imageFile);
    Files.write(labels, TestFiles.idx(new int[] {count}, classes));
  }

  /** Training files of 800 examples (80 for validation) and test files of 200 in {@code dir}. */
  static DataFiles.Paths madeData(Path dir) throws IOException {
    DataFiles.Paths files = new DataFiles.Paths(dir.resolve("train-x.gz"), dir.resolve("train-y"),
        dir.resolve("test-x"), dir.resolve("test-y"));
    write(files.trainImages(), files.trainLabels(), 800, 1, true);
    write(files.testImages(), files.testLabels(), 200, 2, false);
    return files;
  }

  @Test
  void trainsOnExplicitIdxFilesWithTheirShapeAndClassCount(@TempDir Path dir) throws IOException {
    DataFiles.Paths files = madeData(dir);
    List<String> log = new ArrayList<>();
    PresetRun.Outcome outcome = PresetRun.run(new PresetRun.Options(
        Presets.named("notebook-003").withSteps(200).withBatchSize(32), dir.resolve("unused"),
        files, null, null, Tracking.NONE), log::add);

    assertTrue(log.contains("Data: train-x.gz [800, 5, 3] + train-y [800]; test-x [200, 5, 3] + "
        + "test-y [200]; 4 classes, sequences of 5 steps x 3 features: 720 train, 80 validation, "
        + "200 test examples"), String.join("\n", log));
    assertTrue(log.stream().noneMatch(l -> l.contains("MNIST")), String.join("\n", log));
    assertEquals(CLASSES, outcome.firstTestImageLogits().length);
    assertEquals(200, outcome.test().examples());
    assertEquals(CLASSES, outcome.test().confusion().length);
    assertTrue(outcome.test().accuracy() > 0.9, "accuracy " + outcome.test().accuracy());
    assertTrue(Files.notExists(dir.resolve("unused")), "nothing fetched when files are given");
  }
}
