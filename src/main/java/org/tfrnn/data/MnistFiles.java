package org.tfrnn.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The names of the four MNIST files and the SHA-256 of each (uncompressed) file. */
public final class MnistFiles {
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  public static final List<String> ALL = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  /** SHA-256 (lower-case hex) of each raw file; a {@code .gz} file has no fixed hash. */
  public static final Map<String, String> SHA256 = Map.of(
      TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
      TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");

  public static final String GZIP_SUFFIX = ".gz";

  private MnistFiles() {}

  /** The file {@code name} in {@code dir}: the raw file if present, else {@code name.gz}, else empty. */
  public static Optional<Path> locate(Path dir, String name) {
    Path raw = dir.resolve(name);
    if (Files.isRegularFile(raw)) {
      return Optional.of(raw);
    }
    Path gz = dir.resolve(name + GZIP_SUFFIX);
    return Files.isRegularFile(gz) ? Optional.of(gz) : Optional.empty();
  }
}
