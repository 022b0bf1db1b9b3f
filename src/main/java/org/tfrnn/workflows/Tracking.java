package org.tfrnn.workflows;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.tfrnn.train.TrainingListener;

/**
 * What a training run records beside its log, and how it can be stopped.
 *
 * @param logdir where TensorBoard event files go, or null for none
 * @param checkpointDir where TF1 checkpoints go, or null for none
 * @param checkpointEvery steps between checkpoints; 0 writes one only at the end and on a stop
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param resume continue from the newest checkpoint in {@code checkpointDir}
 * @param evalEvery steps between validation evaluations; 0 means once per epoch
 * @param stopRequested polled after every step; true finishes the step, checkpoints, and stops
 * @param exportBest export the weights of the best validation accuracy instead of the last
 * @param earlyStopPatience stop when validation accuracy has not improved for this many
 *     evaluations; 0 never stops early
 * @param progress told of every step beside the notebook's log (the CLI's live progress line)
 */
public record Tracking(
    Path logdir,
    Path checkpointDir,
    int checkpointEvery,
    int keepCheckpoints,
    boolean resume,
    int evalEvery,
    BooleanSupplier stopRequested,
    boolean exportBest,
    int earlyStopPatience,
    TrainingListener progress) {

  public static final int DEFAULT_KEEP = 5;

  /** Nothing recorded, never stopped early: the notebook run as it was. */
  public static final Tracking NONE = new Tracking(null, null, 0, DEFAULT_KEEP, false, 0, () -> false, false, 0);

  public Tracking {
    if (checkpointEvery < 0 || evalEvery < 0 || keepCheckpoints < 1 || earlyStopPatience < 0) {
      throw new IllegalArgumentException("--checkpoint-every, --eval-every and --early-stop must "
          + "be >= 0 and --keep-checkpoints >= 1, got " + checkpointEvery + ", " + evalEvery + ", "
          + earlyStopPatience + " and " + keepCheckpoints);
    }
    if (resume && checkpointDir == null) {
      throw new IllegalArgumentException("--resume needs --checkpoint-dir, the directory to resume from");
    }
  }

  /** This tracking, stopped when {@code stop} says so. */
  public Tracking(Path logdir, Path checkpointDir, int checkpointEvery, int keepCheckpoints,
      boolean resume, int evalEvery, BooleanSupplier stopRequested, boolean exportBest,
      int earlyStopPatience) {
    this(logdir, checkpointDir, checkpointEvery, keepCheckpoints, resume, evalEvery, stopRequested,
        exportBest, earlyStopPatience, TrainingListener.NONE);
  }

  public Tracking withStopRequested(BooleanSupplier stop) {
    return new Tracking(logdir, checkpointDir, checkpointEvery, keepCheckpoints, resume, evalEvery,
        stop, exportBest, earlyStopPatience, progress);
  }

  public Tracking withProgress(TrainingListener listener) {
    return new Tracking(logdir, checkpointDir, checkpointEvery, keepCheckpoints, resume, evalEvery,
        stopRequested, exportBest, earlyStopPatience, listener);
  }

  /** Whether validation runs at all: for TensorBoard, the best export or early stopping. */
  boolean validates() {
    return logdir != null || exportBest || earlyStopPatience > 0;
  }
}
