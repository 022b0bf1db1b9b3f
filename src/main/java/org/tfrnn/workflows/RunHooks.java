package org.tfrnn.workflows;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.Session;
import org.tfrnn.checkpoint.CheckpointManager;
import org.tfrnn.train.Trainer;
import org.tfrnn.train.TrainingListener;

/** What a tracked run does before and after the training loop: resume, and say how it stopped. */
final class RunHooks {
  private RunHooks() {}

  /**
   * With {@code --resume}, restores the newest checkpoint and returns its step; without it,
   * returns 0, refusing a directory that already holds a checkpoint (it belongs to another run).
   */
  static int restoreOrRefuse(TrainingCheckpoints checkpoints, Session session, Tracking tracking,
      Consumer<String> out) throws IOException {
    Optional<CheckpointManager.Checkpoint> latest = checkpoints.latest();
    if (!tracking.resume()) {
      if (latest.isPresent()) {
        throw new IOException(checkpoints.dir() + " already holds the checkpoint "
            + latest.get().prefix().getFileName() + " of another run: add --resume to continue "
            + "it, or give another --checkpoint-dir");
      }
      return 0;
    }
    if (latest.isEmpty()) {
      throw new IOException("--resume: " + tracking.checkpointDir() + " holds no checkpoint (no "
          + org.tfrnn.checkpoint.CheckpointState.FILE_NAME + " file)");
    }
    int step = checkpoints.restore(session, latest.get());
    out.accept("Resumed from " + latest.get().prefix() + ": continuing at step " + (step + 1));
    return step;
  }

  /** Calls {@code first}, then {@code second} if there is one. */
  static TrainingListener both(TrainingListener first, TrainingListener second) {
    if (second == null) {
      return first;
    }
    return new TrainingListener() {
      @Override
      public void onStep(int step, double seconds) {
        first.onStep(step, seconds);
        second.onStep(step, seconds);
      }

      @Override
      public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
        first.onMinibatch(step, batchSize, loss, accuracy);
        second.onMinibatch(step, batchSize, loss, accuracy);
      }

      @Override
      public void onEpoch(int epoch, double trainAccuracy, double testAccuracy) {
        first.onEpoch(epoch, trainAccuracy, testAccuracy);
        second.onEpoch(epoch, trainAccuracy, testAccuracy);
      }
    };
  }

  static String stoppedLine(Trainer.Summary summary, int steps, java.nio.file.Path checkpointDir) {
    String where = "Stopped after step " + summary.lastStep() + " of " + steps;
    return checkpointDir == null
        ? where + "; no checkpoint was written (give --checkpoint-dir to make a run resumable)"
        : where + "; checkpoint written to " + checkpointDir + ". Resume with the same command "
            + "and --resume.";
  }
}
