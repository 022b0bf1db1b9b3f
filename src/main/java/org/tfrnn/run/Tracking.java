package org.tfrnn.run;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

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
 */
public record Tracking(
    Path logdir,
    Path checkpointDir,
    int checkpointEvery,
    int keepCheckpoints,
    boolean resume,
    int evalEvery,
    BooleanSupplier stopRequested) {

  public static final int DEFAULT_KEEP = 5;

  /** Nothing recorded, never stopped early: the notebook run as it was. */
  public static final Tracking NONE = new Tracking(null, null, 0, DEFAULT_KEEP, false, 0, () -> false);

  public Tracking {
    if (checkpointEvery < 0 || evalEvery < 0 || keepCheckpoints < 1) {
      throw new IllegalArgumentException("checkpoint-every and eval-every must be >= 0 and "
          + "keep-checkpoints >= 1, got " + checkpointEvery + ", " + evalEvery + ", "
          + keepCheckpoints);
    }
    if (resume && checkpointDir == null) {
      throw new IllegalArgumentException("--resume needs --checkpoint-dir, the directory to resume from");
    }
  }
}
