package org.tfrnn.workflows;

import java.io.IOException;
import org.tensorflow.Session;
import org.tfrnn.data.SequenceDataset;
import org.tfrnn.train.Trainer;

/**
 * What a tracked run does after each training step: validation every {@code evaluateEvery} steps
 * (recorded for TensorBoard, kept when best, counted for early stopping), a checkpoint every
 * {@code --checkpoint-every} steps or when a stop is requested, then the stop.
 */
final class RunStepHook implements Trainer.StepHook {
  private final Tracking tracking;
  private final TrainingCheckpoints checkpoints;
  private final Session session;
  private final Trainer trainer;
  private final SequenceDataset data;
  private final TensorBoardLog tensorBoard;
  private final int evaluateEvery;
  private TrainingCheckpoints.Best best;
  private int evaluationsWithoutImprovement;
  private boolean earlyStopped;

  /**
   * @param tensorBoard null when no event files are written
   * @param resumedStep the step a resumed run continues from (0 for a fresh run): the best result
   *     and the evaluations since it carry over
   */
  RunStepHook(Tracking tracking, TrainingCheckpoints checkpoints, Session session, Trainer trainer,
      SequenceDataset data, TensorBoardLog tensorBoard, int evaluateEvery, int resumedStep)
      throws IOException {
    this.tracking = tracking;
    this.checkpoints = checkpoints;
    this.session = session;
    this.trainer = trainer;
    this.data = data;
    this.tensorBoard = tensorBoard;
    this.evaluateEvery = evaluateEvery;
    if (resumedStep > 0) {
      best = checkpoints.best().orElse(null);
      if (best != null) {
        evaluationsWithoutImprovement = resumedStep / evaluateEvery - best.step() / evaluateEvery;
      }
    }
  }

  @Override
  public boolean afterStep(int step) throws IOException {
    if (tracking.validates() && step % evaluateEvery == 0) {
      validate(step);
    }
    boolean stop = tracking.stopRequested().getAsBoolean();
    if (stop || (tracking.checkpointEvery() > 0 && step % tracking.checkpointEvery() == 0)) {
      checkpoints.save(session, step);
    }
    return stop || earlyStopped;
  }

  private void validate(int step) throws IOException {
    Trainer.Metrics validation = trainer.measure(data.validation());
    if (tensorBoard != null) {
      tensorBoard.validation(step, validation.accuracy(), validation.loss());
    }
    if (best == null || validation.accuracy() > best.validationAccuracy()) {
      best = new TrainingCheckpoints.Best(step, validation.accuracy());
      evaluationsWithoutImprovement = 0;
      if (tracking.exportBest() || tracking.earlyStopPatience() > 0) {
        checkpoints.saveBest(session, step, validation.accuracy());
      }
    } else {
      evaluationsWithoutImprovement++;
    }
    earlyStopped = tracking.earlyStopPatience() > 0
        && evaluationsWithoutImprovement >= tracking.earlyStopPatience();
  }

  /** True if validation stopped the run (not a signal). */
  boolean earlyStopped() {
    return earlyStopped;
  }

  /** The best validation result, or null if there was no validation. */
  TrainingCheckpoints.Best best() {
    return best;
  }

  int evaluationsWithoutImprovement() {
    return evaluationsWithoutImprovement;
  }
}
