package org.tfrnn.checkpoint;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code checkpoint} file of a checkpoint directory: a text-format {@code CheckpointState}
 * proto naming the newest checkpoint ({@code model_checkpoint_path}) and the ones kept ({@code
 * all_model_checkpoint_paths}, oldest first), as {@code tf.train.latest_checkpoint} reads it.
 * Paths are written relative to the directory, so the directory can be moved.
 *
 * @param latest the newest checkpoint's prefix, relative to the directory
 * @param all the kept prefixes, oldest first, {@code latest} last
 */
public record CheckpointState(String latest, List<String> all) {
  public static final String FILE_NAME = "checkpoint";
  private static final Pattern FIELD =
      Pattern.compile("^\\s*(model_checkpoint_path|all_model_checkpoint_paths)\\s*:\\s*\"(.*)\"\\s*$");

  public CheckpointState {
    all = List.copyOf(all);
    if (all.isEmpty() || !all.get(all.size() - 1).equals(latest)) {
      throw new IllegalArgumentException("the kept checkpoints " + all + " must end with " + latest);
    }
  }

  /** The state file of {@code dir}, or null when there is none. */
  public static CheckpointState read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String latest = null;
    List<String> all = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      Matcher m = FIELD.matcher(line);
      if (!m.matches()) {
        continue; // timestamps and fields we do not use
      }
      String path;
      try {
        path = TextFormat.unescapeBytes(m.group(2)).toStringUtf8();
      } catch (TextFormat.InvalidEscapeSequenceException e) {
        throw new IOException(file + ": bad escape in " + line.strip(), e);
      }
      if (m.group(1).equals("model_checkpoint_path")) {
        latest = path;
      } else {
        all.add(path);
      }
    }
    if (latest == null) {
      throw new IOException(file + " names no model_checkpoint_path");
    }
    if (all.isEmpty() || !all.get(all.size() - 1).equals(latest)) {
      all.remove(latest);
      all.add(latest);
    }
    return new CheckpointState(latest, all);
  }

  /** Writes the state file of {@code dir} atomically: a temporary file, then a rename. */
  public void write(Path dir) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("model_checkpoint_path: \"").append(escape(latest)).append("\"\n");
    for (String path : all) {
      text.append("all_model_checkpoint_paths: \"").append(escape(path)).append("\"\n");
    }
    AtomicFiles.writeString(dir.resolve(FILE_NAME), text.toString());
  }

  private static String escape(String path) {
    return TextFormat.escapeDoubleQuotesAndBackslashes(path);
  }
}
