package org.tfrnn.run;

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

  private final CheckpointManager manager;
  private final DataSplit train;
  private final boolean stepIsExtra;
  private long lastSaved = -1;

  TrainingCheckpoints(Graph graph, Path dir, int keep, DataSplit train) {
    this.stepIsExtra = graph.operation(GLOBAL_STEP) == null;
    List<String> extras = new ArrayList<>();
    if (stepIsExtra) {
      extras.add(GLOBAL_STEP);
    }
    extras.addAll(List.of(SHUFFLE_SEED, EPOCHS_COMPLETED, INDEX_IN_EPOCH));
    this.manager = new CheckpointManager(dir, keep, new Tf1Saver(graph, extras));
    this.train = train;
  }

  Path dir() {
    return manager.dir();
  }

  /** Saves a checkpoint at {@code step} unless this run has just saved that step. */
  void save(Session session, int step) throws IOException {
    if (step == lastSaved) {
      return;
    }
    DataSplit.Position position = train.position();
    Map<String, Long> extras = new LinkedHashMap<>();
    if (stepIsExtra) {
      extras.put(GLOBAL_STEP, (long) step);
    }
    extras.put(SHUFFLE_SEED, position.seed());
    extras.put(EPOCHS_COMPLETED, (long) position.epochsCompleted());
    extras.put(INDEX_IN_EPOCH, (long) position.indexInEpoch());
    manager.save(session, step, extras);
    lastSaved = step;
  }

  Optional<CheckpointManager.Checkpoint> latest() throws IOException {
    return manager.latest();
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
