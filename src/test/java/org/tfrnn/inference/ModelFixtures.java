package org.tfrnn.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** The SavedModels Python TensorFlow wrote under {@code savedmodels/}, published as versions. */
public final class ModelFixtures {
  public static final Path SAVED_MODELS = Path.of("savedmodels");

  private ModelFixtures() {}

  /**
   * Publishes a fixture's SavedModel as {@code base/version} the way an exporter does: copied
   * into a temporary directory beside it, then renamed into place in one atomic step.
   */
  public static Path publishVersion(String fixture, Path base, long version) throws IOException {
    Path source = SAVED_MODELS.resolve(fixture);
    Path staging = Files.createTempDirectory(base, ".publish-");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path relative = source.relativize(file);
        if (relative.startsWith("expected")) {
          continue;
        }
        Path target = staging.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    Path published = base.resolve(Long.toString(version));
    Files.move(staging, published, StandardCopyOption.ATOMIC_MOVE);
    return published;
  }
}
