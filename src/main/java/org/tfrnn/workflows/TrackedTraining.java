package org.tfrnn.workflows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.charts.TrainingCurves;
import org.tfrnn.data.SequenceDataset;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.Preset;
import org.tfrnn.tensorboard.EventFiles;
import org.tfrnn.train.Trainer;
import org.tfrnn.train.TrainingListener;

/**
 * The training loop of a run with its tracking around it: resume from a checkpoint, TensorBoard
 * event files, validation, periodic checkpoints, early stopping, a stop on request, and, for
 * {@code --export best}, the best-validation weights put back at the end; the curves PNG is drawn
 * from the event files, so a resumed run's picture includes what came before the resume.
 */
final class TrackedTraining {
  static final String CURVES_FILE = "curves.png";
  private static final List<TrainingCurves.Curve> LOSS_CURVES = List.of(
      new TrainingCurves.Curve(TensorBoardLog.LOSS, "training (minibatch)"),
      new TrainingCurves.Curve(TensorBoardLog.VALIDATION_LOSS, "validation"));
  private static final List<TrainingCurves.Curve> ACCURACY_CURVES = List.of(
      new TrainingCurves.Curve(TensorBoardLog.ACCURACY, "training (minibatch)"),
      new TrainingCurves.Curve(TensorBoardLog.VALIDATION_ACCURACY, "validation"),
      new TrainingCurves.Curve(TensorBoardLog.EPOCH_TRAIN_ACCURACY, "training (epoch)"),
      new TrainingCurves.Curve(TensorBoardLog.EPOCH_TEST_ACCURACY, "test (epoch)"));

  private TrackedTraining() {}

  /** @param interrupted true if a stop request (not early stopping) ended training */
  record Result(Trainer.Summary summary, boolean interrupted) {}

  static Result train(Graph graph, Session session, ModelGraph model, Trainer trainer,
      SequenceDataset data, Preset preset, Trainer.Plan notebookPlan, Tracking tracking,
      TrainingListener notebookLog, Consumer<String> out) throws IOException {
    Path bestDir = tracking.checkpointDir() != null
        ? tracking.checkpointDir().resolve(TrainingCheckpoints.BEST_DIR)
        : Files.createTempDirectory("tfrnn-best-");
    try {
      TrainingCheckpoints checkpoints = new TrainingCheckpoints(graph, tracking.checkpointDir(),
          tracking.keepCheckpoints(), data.train(), bestDir);
      int resumedStep = checkpoints.enabled()
          ? RunHooks.restoreOrRefuse(checkpoints, session, tracking, out) : 0;
      Trainer.Plan plan = notebookPlan.startingAt(resumedStep + 1);
      int evaluateEvery = tracking.evalEvery() > 0
          ? tracking.evalEvery() : Math.max(1, data.train().size() / preset.batchSize());
      TensorBoardLog tensorBoard = tracking.logdir() == null ? null
          : new TensorBoardLog(tracking.logdir(), graph, session, model,
              model.trainableVariables(), plan.firstStep(), plan.stepsPerEpoch());
      if (tensorBoard != null) {
        out.accept("TensorBoard: tensorboard --logdir " + tracking.logdir());
      }
      RunStepHook hook = new RunStepHook(tracking, checkpoints, session, trainer, data,
          tensorBoard, evaluateEvery, resumedStep);
      Trainer.Summary summary;
      try {
        summary = trainer.train(data, plan,
            RunHooks.both(RunHooks.both(notebookLog, tensorBoard), tracking.progress()), hook);
        checkpoints.save(session, summary.lastStep());
      } finally {
        if (tensorBoard != null) {
          tensorBoard.close();
        }
      }
      if (summary.stopped() && !hook.earlyStopped()) {
        // Stopped by a signal: the JVM is shutting down, too late to start AWT for the curves
        // (the resumed run draws them, history included).
        out.accept(RunHooks.stoppedLine(summary, preset.steps(), checkpoints.dir()));
        return new Result(summary, true);
      }
      if (tracking.logdir() != null) {
        Path png = tracking.logdir().resolve(CURVES_FILE);
        try {
          if (TrainingCurves.write(EventFiles.scalars(tracking.logdir()), LOSS_CURVES,
              ACCURACY_CURVES, preset.name(), png)) {
            out.accept("Curves: " + png);
          }
        } catch (IllegalStateException | java.awt.AWTError e) {
          // A signal at the last step: the JVM is shutting down and AWT cannot start.
          out.accept("Curves not drawn (" + e.getMessage() + "); TensorBoard has them");
        }
      }
      if (hook.earlyStopped()) {
        out.accept(String.format(Locale.ROOT, "Early stop after step %d: validation accuracy has "
            + "not improved for %d evaluations (best %.4f at step %d)", summary.lastStep(),
            hook.evaluationsWithoutImprovement(), hook.best().validationAccuracy(),
            hook.best().step()));
      }
      if (tracking.exportBest()) {
        if (hook.best() == null) {
          out.accept("No validation yet (every " + evaluateEvery + " steps): the last weights "
              + "are the ones evaluated and exported");
        } else {
          checkpoints.restoreBest(session);
          out.accept(String.format(Locale.ROOT, "Best validation accuracy %.4f at step %d: "
              + "those weights are evaluated and exported", hook.best().validationAccuracy(),
              hook.best().step()));
        }
      }
      return new Result(summary, false);
    } finally {
      if (tracking.checkpointDir() == null) {
        com.google.common.io.MoreFiles.deleteRecursively(bestDir,
            com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }
}
