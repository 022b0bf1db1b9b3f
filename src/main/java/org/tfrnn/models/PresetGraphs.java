package org.tfrnn.models;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tensorflow.Graph;

/**
 * Each preset's complete training graph as a text GraphDef ({@code graphs/<preset>.pbtxt}): a
 * reviewable record of what the builder makes, which a test rebuilds and compares, so any change
 * to a graph shows up as a diff. Python reads them with {@code text_format.Parse(..., GraphDef())}.
 */
public final class PresetGraphs {
  public static final String EXTENSION = ".pbtxt";

  private PresetGraphs() {}

  /** The text GraphDef of {@code preset}'s graph as {@link ModelBuilder} builds it. */
  public static String text(Preset preset) {
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, preset.model());
      return TextFormat.printer().printToString(graph.toGraphDef());
    }
  }

  public static Path file(Path dir, Preset preset) {
    return dir.resolve(preset.name() + EXTENSION);
  }

  /** Writes every preset's graph into {@code dir}, each file replaced atomically. */
  public static void writeAll(Path dir, java.util.function.Consumer<String> log) throws IOException {
    Files.createDirectories(dir);
    for (Preset preset : Presets.all().values()) {
      Path target = file(dir, preset);
      Path partial = dir.resolve("." + preset.name() + EXTENSION + ".part");
      Files.writeString(partial, text(preset), StandardCharsets.UTF_8);
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      log.accept("wrote " + target);
    }
  }
}
