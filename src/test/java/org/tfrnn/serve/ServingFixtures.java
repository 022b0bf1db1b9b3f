package org.tfrnn.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.tfrnn.inference.ModelFixtures;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * The Python-written SavedModel fixtures ({@code savedmodels/}) as a server sees them: published
 * as numbered versions under a base path, and what Python TensorFlow answered for their first 100
 * test images ({@code expected/*.npy}), the independent reference of every serving test.
 */
final class ServingFixtures {
  static final Path SAVED_MODELS = ModelFixtures.SAVED_MODELS;
  static final String STATIC_LSTM = "py-static-lstm";
  static final String BASIC_RNN_DENSE = "py-basic-rnn-dense";
  static final String KERAS_LSTM = "py-keras-lstm";
  static final int PIXELS = 28 * 28;
  static final int CLASSES = 10;

  /** How long a test waits for the server to reach a state before it fails. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  private ServingFixtures() {}

  /** Awaitility's wait for a server state, named in the failure, polled every 10 ms. */
  static ConditionFactory patiently(String what) {
    return Awaitility.await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(10));
  }

  /**
   * Publishes a fixture's SavedModel as {@code base/version} the way an exporter does: copied
   * into a temporary directory beside it, then renamed into place in one atomic step.
   */
  static Path publishVersion(String fixture, Path base, long version) throws IOException {
    return ModelFixtures.publishVersion(fixture, base, version);
  }

  /** Publishes a version that cannot load: the fixture with a corrupt saved_model.pb. */
  static Path publishBrokenVersion(Path base, long version) throws IOException {
    Path staging = Files.createTempDirectory(base, ".publish-");
    Files.write(staging.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5, 6, 7});
    Path published = base.resolve(Long.toString(version));
    Files.move(staging, published, StandardCopyOption.ATOMIC_MOVE);
    return published;
  }

  /** A listener that adds "loaded N" and "unloaded N" to {@code events} as versions come and go. */
  static ServerListener recordingVersions(List<String> events) {
    return new ServerListener() {
      @Override
      public void versionLoaded(String model, long version, Path dir, Duration took) {
        events.add("loaded " + version);
      }

      @Override
      public void versionUnloaded(String model, long version) {
        events.add("unloaded " + version);
      }
    };
  }

  /** Python's inputs and outputs for a fixture. */
  record Expected(float[] images, Map<String, NdValue> outputs) {
    int count() {
      return images.length / PIXELS;
    }

    /** Images {@code from .. from+n-1}, flat. */
    float[] images(int from, int n) {
      return Arrays.copyOfRange(images, from * PIXELS, (from + n) * PIXELS);
    }

    /** Rows {@code from .. from+n-1} of a float output with {@code width} values per row. */
    float[] floats(String output, int from, int n) {
      NdValue value = outputs.get(output);
      int width = Math.toIntExact(value.size() / value.dim(0));
      return Arrays.copyOfRange(value.floats(), from * width, (from + n) * width);
    }

    long[] longs(String output, int from, int n) {
      return Arrays.copyOfRange(outputs.get(output).longs(), from, from + n);
    }
  }

  static Expected expected(String fixture) throws IOException {
    Path dir = SAVED_MODELS.resolve(fixture).resolve("expected");
    float[] images = Npy.read(dir.resolve("inputs.npy")).floats();
    Map<String, NdValue> outputs = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".npy") && !List.of("inputs.npy", "labels.npy").contains(name)) {
          outputs.put(name.substring(0, name.length() - 4), Npy.read(file));
        }
      }
    }
    return new Expected(images, outputs);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }
}
