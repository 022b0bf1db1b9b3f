package org.tfrnn.workflows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.Batch;
import org.tfrnn.data.DataFiles;
import org.tfrnn.data.FileDataset;
import org.tfrnn.data.MnistFetcher;
import org.tfrnn.data.SequenceDataset;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.Preset;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.savedmodel.ModelExporter;
import org.tfrnn.savedmodel.VariableImport;
import org.tfrnn.train.Evaluation;
import org.tfrnn.train.SessionThreads;
import org.tfrnn.train.Trainer;
import org.tfrnn.train.TrainingListener;

/**
 * Trains a preset end to end, as its notebook does: fetch the data if needed, build the graph,
 * optionally start from a SavedModel's variables, train with the notebook's log, evaluate, show the
 * single-image demo, export a SavedModel. Lines go to a consumer (the CLI prints them); the outcome
 * is returned for callers and tests.
 */
public final class PresetRun {
  private Preset preset;
  private final Consumer<String> out;

  private PresetRun(Preset preset, Consumer<String> out) {
    this.preset = preset;
    this.out = out;
  }

  /**
   * @param dataFiles the four data files named one by one, or null to look in {@code dataDir}
   * @param exportBase where to write the SavedModel (as {@code exportBase/<version>}), or null
   * @param initFrom a SavedModel whose variables to start from (by TF1 name), or null
   * @param tracking checkpoints, TensorBoard, validation, resume and stop ({@link Tracking#NONE}:
   *     the notebook's run as it was)
   * @param threads the session's thread pools, or null for those that suit the lanes ({@link
   *     SessionThreads#forLanes})
   * @param lanes batch lanes ({@link ModelBuilder#build(Graph, org.tfrnn.models.ModelSpec, int)});
   *     0 for the preset's ({@link Preset#trainingLanes()})
   */
  public record Options(Preset preset, Path dataDir, DataFiles.Paths dataFiles, Path exportBase,
      Path initFrom, Tracking tracking, SessionThreads threads, int lanes) {
    public Options {
      if (lanes < 0) {
        throw new IllegalArgumentException("--lanes must be at least 1, got " + lanes);
      }
    }

    public Options(Preset preset, Path dataDir, DataFiles.Paths dataFiles, Path exportBase,
        Path initFrom, Tracking tracking, SessionThreads threads) {
      this(preset, dataDir, dataFiles, exportBase, initFrom, tracking, threads, 0);
    }

    /** The same options with other tracking. */
    public Options withTracking(Tracking newTracking) {
      return new Options(preset, dataDir, dataFiles, exportBase, initFrom, newTracking, threads,
          lanes);
    }

    public Options(Preset preset, Path dataDir, DataFiles.Paths dataFiles, Path exportBase,
        Path initFrom, Tracking tracking) {
      this(preset, dataDir, dataFiles, exportBase, initFrom, tracking, null);
    }

    public Options(Preset preset, Path dataDir, Path exportBase, Path initFrom) {
      this(preset, dataDir, null, exportBase, initFrom, Tracking.NONE);
    }
  }

  /**
   * @param notebookTestAccuracy on the notebook's number of test images (128, 256 or 10,000)
   * @param initialTestAccuracy on all test images before training, when starting from a model
   */
  public record Outcome(
      Preset preset,
      Trainer.Summary training,
      double notebookTestAccuracy,
      Evaluation test,
      float[] firstTestImageLogits,
      int firstTestImageLabel,
      Path exportedModel,
      Double initialTestAccuracy) {}

  /** The test-set results: on all test images, and on as many as the notebook judges on. */
  private record TestResults(Evaluation all, double notebookAccuracy) {}

  /** Notebook 004's single-image demo: the first test image's logits and its label. */
  private record FirstImage(float[] logits, int label) {}

  public static Outcome run(Options options, Consumer<String> out) throws IOException {
    Preset preset = options.preset();
    out.accept("Preset " + preset.name() + " (notebook " + preset.notebook() + "): "
        + preset.description());
    return new PresetRun(preset, out).run(options);
  }

  private Outcome run(Options options) throws IOException {
    SequenceDataset data = fetchAndLoad(options);
    // Time steps, features and classes come from the data; the model is built to fit.
    preset = preset.withModel(
        preset.model().withDataShape(data.timeSteps(), data.features(), data.classes()));
    int lanes = options.lanes() == 0 ? preset.trainingLanes() : options.lanes();
    SessionThreads threads =
        options.threads() != null ? options.threads() : SessionThreads.forLanes(lanes);
    try (Graph graph = new Graph();
        Session session = new Session(graph, threads.config())) {
      ModelGraph model = ModelBuilder.build(graph, preset.model(), lanes);
      out.accept("Batch lanes: " + lanes + "; session threads intra,inter: " + threads);
      Trainer trainer = new Trainer(session, model);
      Double initialAccuracy = options.initFrom() == null
          ? null : restoreVariables(options.initFrom(), session, model, trainer, data);
      TrackedTraining.Result training = TrackedTraining.train(graph, session, model, trainer,
          data, preset, plan(preset, data.train().size()), options.tracking(), notebookLog(), out);
      Trainer.Summary summary = training.summary();
      if (training.interrupted()) {
        return new Outcome(preset, summary, Double.NaN, null, null, -1, null, initialAccuracy);
      }
      String finished = NotebookLog.finished(preset.logStyle());
      if (finished != null) {
        out.accept(finished);
      }
      TestResults test = evaluate(trainer, data, summary);
      FirstImage first = showFirstTestImage(trainer, model, data);
      Path exported = options.exportBase() == null
          ? null : export(session, model, lanes, options.exportBase());
      return new Outcome(preset, summary, test.notebookAccuracy(), test.all(), first.logits(),
          first.label(), exported, initialAccuracy);
    }
  }

  /**
   * The four files named one by one, or those in the data directory: MNIST's names (raw or .gz)
   * or Keras's .npy names. A directory with neither gets MNIST, fetched; checksums guard only the
   * files the tool fetched itself. Loaded with the model's seed.
   */
  private SequenceDataset fetchAndLoad(Options options) throws IOException {
    DataFiles.Paths files = options.dataFiles();
    if (files == null) {
      Optional<DataFiles.Paths> found = DataFiles.locate(options.dataDir());
      if (found.isEmpty() || MnistFetcher.isPresent(options.dataDir())) {
        MnistFetcher.ensurePresent(options.dataDir(), out);
        found = DataFiles.locate(options.dataDir());
      }
      files = found.orElseThrow();
    }
    SequenceDataset data = FileDataset.of(
        DataFiles.read(files.trainImages(), files.trainLabels()),
        DataFiles.read(files.testImages(), files.testLabels()), preset.model().seed());
    out.accept(data.description());
    return data;
  }

  /** Starts from another model's variables; returns the test accuracy before any training. */
  private double restoreVariables(Path initFrom, Session session, ModelGraph model,
      Trainer trainer, SequenceDataset data) throws IOException {
    out.accept(VariableImport.restore(session, model.trainableVariables(), initFrom));
    double accuracy = trainer.evaluate(data.test(), data.test().size()).accuracy();
    out.accept(String.format(Locale.ROOT,
        "Test accuracy before training (all %d test images): %.4f", data.test().size(), accuracy));
    return accuracy;
  }

  /** The notebook's log lines. */
  private TrainingListener notebookLog() {
    return new TrainingListener() {
      @Override
      public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
        out.accept(NotebookLog.minibatch(preset.logStyle(), step, batchSize, loss, accuracy));
      }

      @Override
      public void onEpoch(int epoch, double trainAccuracy, double testAccuracy) {
        out.accept(NotebookLog.epoch(epoch, trainAccuracy, testAccuracy));
      }
    };
  }

  /** The notebook's own test line, then the accuracy on all test images and the speed. */
  private TestResults evaluate(Trainer trainer, SequenceDataset data, Trainer.Summary summary) {
    Evaluation test = trainer.evaluate(data.test(), data.test().size());
    // Notebooks 002 and 004 judge on all test images: the evaluation above is theirs too.
    int notebookImages = Math.min(preset.notebookTestImages(), test.examples());
    double notebookAccuracy = notebookImages == test.examples()
        ? test.accuracy()
        : trainer.evaluate(data.test(), notebookImages).accuracy();
    String notebookLine = NotebookLog.testAccuracy(preset.logStyle(), (float) notebookAccuracy);
    if (notebookLine != null) {
      out.accept(notebookLine);
    }
    out.accept(String.format(Locale.ROOT,
        "Accuracy on all %d test images: %.4f (%d correct); %d steps in %.1f s, %.1f ms/step",
        test.examples(), test.accuracy(), test.correct(), summary.steps(), summary.seconds(),
        summary.millisPerStep()));
    return new TestResults(test, notebookAccuracy);
  }

  /** Notebook 004's demo: the first test image's label, logits and predicted class. */
  private FirstImage showFirstTestImage(Trainer trainer, ModelGraph model, SequenceDataset data) {
    Batch first = data.test().batch(0, 1);
    float[] logits = trainer.logits(first, model.logits());
    out.accept("ACTUAL VALUE: " + NotebookLog.row(first.oneHotLabels(data.classes()), "%.0f."));
    out.accept("PREDICTED VALUE: " + NotebookLog.row(logits, "%.8f"));
    out.accept("EXPECTED OUTPUT: [" + first.labels()[0] + "]");
    out.accept("PREDICTED OUTPUT: [" + trainer.predict(first)[0] + "]");
    return new FirstImage(logits, first.labels()[0]);
  }

  /**
   * The model as a SavedModel, always in one batch lane: lanes speed up training steps, but a
   * served request (often a batch of one) would pay every op twice. The trained variables are
   * copied by name into the one-lane graph.
   */
  private Path export(Session session, ModelGraph model, int lanes, Path exportBase)
      throws IOException {
    if (lanes == 1) {
      return exported(ModelExporter.exportNextVersion(session, ServingSignatures.of(model),
          exportBase));
    }
    try (Graph graph = new Graph(); Session oneLane = new Session(graph)) {
      ModelGraph served = ModelBuilder.build(graph, preset.model(), 1);
      VariableImport.copy(session, model.graph(), oneLane, graph);
      return exported(ModelExporter.exportNextVersion(oneLane, ServingSignatures.of(served),
          exportBase));
    }
  }

  private Path exported(Path exported) {
    out.accept("SavedModel written to " + exported);
    return exported;
  }

  /** Notebook 002 reports once per epoch of {@code trainSize / batchSize} steps. */
  static Trainer.Plan plan(Preset preset, int trainSize) {
    boolean perEpoch = preset.logStyle().reportsPerEpoch();
    return new Trainer.Plan(preset.batchSize(), preset.steps(),
        step -> preset.logStyle().reportsAfterStep(step, preset.displayStep()),
        perEpoch ? Math.max(1, trainSize / preset.batchSize()) : 0);
  }
}
