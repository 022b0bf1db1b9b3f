package org.tfrnn.workflows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.checkpoint.CheckpointManager;
import org.tfrnn.checkpoint.Tf1Saver;
import org.tfrnn.data.DataSplit;

/**
 * A training run's checkpoints: every variable of the graph (weights, Adam slots, beta powers,
 * global step) plus what a resumed run needs to see the data in the same order, saved as int64
 * scalars beside the variables: {@code global_step} (when the graph has no variable of that name)
 * and {@code train_data/shuffle_seed}, {@code train_data/epochs_completed}, {@code
 * train_data/index_in_epoch}.
 */
final class TrainingCheckpoints {
  static final String GLOBAL_STEP = "global_step";
  static final String SHUFFLE_SEED = "train_data/shuffle_seed";
  static final String EPOCHS_COMPLETED = "train_data/epochs_completed";
  static final String INDEX_IN_EPOCH = "train_data/index_in_epoch";

  static final String BEST_DIR = "best";
  static final String BEST_FILE = "best.json";

  private final CheckpointManager manager;
  private final CheckpointManager bestManager;
  private final DataSplit train;
  private final boolean stepIsExtra;
  private long lastSaved = -1;

  /** The best validation result so far, and where its weights are. */
  record Best(int step, double validationAccuracy) {}

  /**
   * @param dir the run's checkpoints, or null to write none
   * @param bestDir where the best-validation weights are kept ({@code dir/best} when there is a
   *     checkpoint directory)
   */
  TrainingCheckpoints(Graph graph, Path dir, int keep, DataSplit train, Path bestDir) {
    this.stepIsExtra = graph.operation(GLOBAL_STEP) == null;
    List<String> extras = new ArrayList<>();
    if (stepIsExtra) {
      extras.add(GLOBAL_STEP);
    }
    extras.addAll(List.of(SHUFFLE_SEED, EPOCHS_COMPLETED, INDEX_IN_EPOCH));
    Tf1Saver saver = new Tf1Saver(graph, extras);
    this.manager = dir == null ? null : new CheckpointManager(dir, keep, saver);
    this.bestManager = new CheckpointManager(bestDir, 1, saver);
    this.train = train;
  }

  boolean enabled() {
    return manager != null;
  }

  /** Keeps the current weights as the best, with their validation accuracy. */
  void saveBest(Session session, int step, double validationAccuracy) throws IOException {
    bestManager.save(session, step, extras(step));
    org.tfrnn.checkpoint.AtomicFiles.writeString(bestManager.dir().resolve(BEST_FILE),
        String.format(java.util.Locale.ROOT, "{\"step\": %d, \"validation_accuracy\": %s}%n",
            step, Double.toString(validationAccuracy)));
  }

  /** The best result kept so far (by this run or the one it resumes), if any. */
  Optional<Best> best() throws IOException {
    Path file = bestManager.dir().resolve(BEST_FILE);
    if (!java.nio.file.Files.isRegularFile(file) || bestManager.latest().isEmpty()) {
      return Optional.empty();
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    return Optional.of(new Best(json.get("step").asInt(), json.get("validation_accuracy").asDouble()));
  }

  /** Puts the best weights back into the session (for the export). */
  void restoreBest(Session session) throws IOException {
    bestManager.restore(session, bestManager.latest().orElseThrow());
  }

  Path dir() {
    return manager == null ? null : manager.dir();
  }

  /** Saves a checkpoint at {@code step} unless this run has just saved that step. */
  void save(Session session, int step) throws IOException {
    if (manager == null || step == lastSaved) {
      return;
    }
    manager.save(session, step, extras(step));
    lastSaved = step;
  }

  private Map<String, Long> extras(int step) {
    DataSplit.Position position = train.position();
    Map<String, Long> extras = new LinkedHashMap<>();
    if (stepIsExtra) {
      extras.put(GLOBAL_STEP, (long) step);
    }
    extras.put(SHUFFLE_SEED, position.seed());
    extras.put(EPOCHS_COMPLETED, (long) position.epochsCompleted());
    extras.put(INDEX_IN_EPOCH, (long) position.indexInEpoch());
    return extras;
  }

  Optional<CheckpointManager.Checkpoint> latest() throws IOException {
    return manager == null ? Optional.empty() : manager.latest();
  }

  /** Restores the variables and the data position; returns the checkpoint's step. */
  int restore(Session session, CheckpointManager.Checkpoint checkpoint) throws IOException {
    Map<String, Long> extras = manager.restore(session, checkpoint);
    lastSaved = checkpoint.step();
    train.seek(new DataSplit.Position(extras.get(SHUFFLE_SEED),
        Math.toIntExact(extras.get(EPOCHS_COMPLETED)), Math.toIntExact(extras.get(INDEX_IN_EPOCH))));
    return Math.toIntExact(checkpoint.step());
  }
}
