package org.tfrnn.savedmodel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.tfrnn.checkpoint.CheckpointIndex;

/**
 * TensorFlow Serving's layout of a model base path: numbered version directories, each a
 * SavedModel. Anything else in the base path (temporary exports, files) is ignored.
 */
public final class ModelVersions {
  public static final String SAVED_MODEL_FILE = "saved_model.pb";

  private ModelVersions() {}

  /** The highest numeric version directory under {@code base} that holds a saved_model.pb. */
  public static OptionalLong highest(Path base) throws IOException {
    if (!Files.isDirectory(base)) {
      return OptionalLong.empty();
    }
    try (Stream<Path> children = Files.list(base)) {
      return children
          .filter(p -> isVersionName(p.getFileName().toString()))
          .filter(p -> Files.isRegularFile(p.resolve(SAVED_MODEL_FILE)))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
          .max();
    }
  }

  /** Every numeric version directory under {@code base} that holds a saved_model.pb, ascending. */
  public static long[] all(Path base) throws IOException {
    if (!Files.isDirectory(base)) {
      return new long[0];
    }
    try (Stream<Path> children = Files.list(base)) {
      return children
          .filter(p -> isVersionName(p.getFileName().toString()))
          .filter(p -> Files.isRegularFile(p.resolve(SAVED_MODEL_FILE)))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
          .sorted()
          .toArray();
    }
  }

  /**
   * {@code dir} itself if it is a SavedModel, else its highest version, so commands accept
   * either a model directory or a base path.
   */
  public static Path resolve(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve(SAVED_MODEL_FILE))) {
      return dir;
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("no SavedModel at " + dir + ": the directory does not exist");
    }
    OptionalLong version = highest(dir);
    if (version.isEmpty()) {
      throw new IOException("no SavedModel at " + dir + ": it has no " + SAVED_MODEL_FILE
          + " and no numbered version directory holding one");
    }
    return dir.resolve(Long.toString(version.getAsLong()));
  }

  /**
   * TensorFlow loads a SavedModel whose checkpoint is missing without complaint and fails only
   * when a variable is read, and one whose data shard is truncated with a native error that names
   * no file; this fails before TensorFlow loads anything, naming what is missing or short. An empty
   * {@code saved_model.pb} is said to be empty.
   */
  public static void requireVariablesIfNeeded(Path model) throws IOException {
    if (Files.size(model.resolve(SAVED_MODEL_FILE)) == 0) {
      // TensorFlow parses an empty file as a model with no graph and fails later, obscurely.
      throw new IOException("cannot load the SavedModel at " + model + ": " + SAVED_MODEL_FILE
          + " is empty (0 bytes)");
    }
    Path index = model.resolve("variables").resolve("variables.index");
    if (Files.isRegularFile(index)) {
      try {
        CheckpointIndex.requireCompleteShards(index);
      } catch (IOException e) {
        throw new IOException("cannot load the SavedModel at " + model + ": " + e.getMessage());
      }
      return;
    }
    org.tensorflow.proto.SavedModel savedModel;
    try (var in = Files.newInputStream(model.resolve(SAVED_MODEL_FILE))) {
      savedModel = org.tensorflow.proto.SavedModel.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return; // not a SavedModel at all: TensorFlow's loader says so in its own words
    }
    for (var metaGraph : savedModel.getMetaGraphsList()) {
      boolean hasVariables = metaGraph.getGraphDef().getNodeList().stream()
          .anyMatch(n -> n.getOp().equals("VariableV2") || n.getOp().equals("VarHandleOp"));
      if (hasVariables) {
        throw new IOException("cannot load the SavedModel at " + model + ": its graph has "
            + "variables but " + index + " is missing");
      }
    }
  }

  static boolean isVersionName(String name) {
    if (name.isEmpty() || name.length() > 18) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
