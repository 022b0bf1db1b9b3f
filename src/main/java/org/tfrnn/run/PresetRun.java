package org.tfrnn.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.Batch;
import org.tfrnn.data.DataFiles;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.data.MnistFetcher;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.Preset;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.savedmodel.ModelExporter;
import org.tfrnn.train.Evaluation;
import org.tfrnn.train.Trainer;
import org.tfrnn.train.TrainingListener;

/**
 * Trains a preset end to end, as its notebook does: fetch the data if needed, build the graph,
 * train with the notebook's log, evaluate, show the single-image demo, export a SavedModel. Lines
 * go to a consumer (the CLI prints them); the outcome is returned for callers and tests.
 */
public final class PresetRun {
  private PresetRun() {}

  /**
   * @param exportBase where to write the SavedModel (as {@code exportBase/<version>}), or null
   * @param initFrom a SavedModel whose variables to start from (by TF1 name), or null
   */
  /**
   * @param dataFiles the four data files named one by one, or null to look in {@code dataDir}
   */
  public record Options(Preset preset, Path dataDir, DataFiles.Paths dataFiles, Path exportBase,
      Path initFrom, Tracking tracking) {
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

  public static Outcome run(Options options, Consumer<String> out) throws IOException {
    Preset chosen = options.preset();
    out.accept("Preset " + chosen.name() + " (notebook " + chosen.notebook() + "): "
        + chosen.description());
    MnistDataset data = loadData(options, chosen.model().seed(), out);
    // Time steps, features and classes come from the data; the model is built to fit.
    Preset preset = chosen.withModel(
        chosen.model().withDataShape(data.rows(), data.columns(), data.classes()));

    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, preset.model());
      Trainer trainer = new Trainer(session, model, data.rows(), data.columns(), data.classes());
      Double initialAccuracy = null;
      if (options.initFrom() != null) {
        out.accept(org.tfrnn.savedmodel.VariableImport.restore(
            session, model.trainableVariables(), options.initFrom()));
        initialAccuracy = trainer.evaluate(data.test(), data.test().size()).accuracy();
        out.accept(String.format(java.util.Locale.ROOT,
            "Test accuracy before training (all %d test images): %.4f",
            data.test().size(), initialAccuracy));
      }

      TrackedTraining.Result run = TrackedTraining.train(graph, session, model, trainer, data,
          preset, plan(preset, data.train().size()), options.tracking(), new TrainingListener() {
            @Override
            public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
              out.accept(NotebookLog.minibatch(preset.logStyle(), step, batchSize, loss, accuracy));
            }

            @Override
            public void onEpoch(int epoch, double trainAccuracy, double testAccuracy) {
              out.accept(NotebookLog.epoch(epoch, trainAccuracy, testAccuracy));
            }
          }, out);
      Trainer.Summary summary = run.summary();
      if (run.interrupted()) {
        return new Outcome(preset, summary, Double.NaN, null, null, -1, null, initialAccuracy);
      }
      String finished = NotebookLog.finished(preset.logStyle());
      if (finished != null) {
        out.accept(finished);
      }
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
      out.accept(String.format(java.util.Locale.ROOT,
          "Accuracy on all %d test images: %.4f (%d correct); %d steps in %.1f s, %.1f ms/step",
          test.examples(), test.accuracy(), test.correct(), summary.steps(), summary.seconds(),
          summary.millisPerStep()));

      Batch first = data.test().batch(0, 1);
      float[] logits = trainer.logits(first, model.logits());
      int predicted = argMax(logits);
      out.accept("ACTUAL VALUE: " + NotebookLog.row(first.oneHotLabels(data.classes()), "%.0f."));
      out.accept("PREDICTED VALUE: " + NotebookLog.row(logits, "%.8f"));
      out.accept("EXPECTED OUTPUT: [" + first.labels()[0] + "]");
      out.accept("PREDICTED OUTPUT: [" + predicted + "]");

      Path exported = null;
      if (options.exportBase() != null) {
        exported = ModelExporter.exportNextVersion(
            session, ServingSignatures.of(model), options.exportBase());
        out.accept("SavedModel written to " + exported);
      }
      return new Outcome(preset, summary, notebookAccuracy, test, logits, first.labels()[0],
          exported, initialAccuracy);
    }
  }

  /**
   * The four files named one by one, or those in the data directory: MNIST's names (raw or .gz)
   * or Keras's .npy names. A directory with neither gets MNIST, fetched; checksums guard only the
   * files the tool fetched itself.
   */
  private static MnistDataset loadData(Options options, long seed, Consumer<String> out)
      throws IOException {
    DataFiles.Paths files = options.dataFiles();
    if (files == null) {
      java.util.Optional<DataFiles.Paths> found = DataFiles.locate(options.dataDir());
      if (found.isEmpty() || MnistFetcher.isPresent(options.dataDir())) {
        MnistFetcher.ensurePresent(options.dataDir(), out);
        found = DataFiles.locate(options.dataDir());
      }
      files = found.orElseThrow();
    }
    DataFiles.Examples train = DataFiles.read(files.trainImages(), files.trainLabels());
    DataFiles.Examples test = DataFiles.read(files.testImages(), files.testLabels());
    MnistDataset data = MnistDataset.fromExamples(train, test, seed);
    out.accept(String.format(java.util.Locale.ROOT,
        "Data: %s; %s; %d classes, sequences of %d steps x %d features: %d train, %d validation, "
            + "%d test examples", train.describe(), test.describe(), data.classes(), data.rows(),
        data.columns(), data.train().size(), data.validation().size(), data.test().size()));
    return data;
  }

  /** Notebook 002 reports once per epoch of {@code trainSize / batchSize} steps. */
  static Trainer.Plan plan(Preset preset, int trainSize) {
    boolean perEpoch = preset.logStyle().reportsPerEpoch();
    return new Trainer.Plan(preset.batchSize(), preset.steps(),
        step -> preset.logStyle().reportsAfterStep(step, preset.displayStep()),
        perEpoch ? Math.max(1, trainSize / preset.batchSize()) : 0);
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
