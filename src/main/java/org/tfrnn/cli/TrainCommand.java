package org.tfrnn.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.workflows.PresetRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
        "Train a preset on MNIST (fetched into --data-dir the first time), print the notebook's",
        "log, evaluate on the test set and export a SavedModel to --export-dir/<version>."})
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--preset", defaultValue = "best",
      description = "notebook-000 .. notebook-004 or best (see `presets`). Default: ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--steps", description = "training steps (default: the preset's)")
  Integer steps;

  @Option(names = "--batch-size", description = "minibatch size (default: the preset's)")
  Integer batchSize;

  @Option(names = "--learning-rate",
      description = "initial learning rate; a decay schedule keeps its shape (default: the preset's)")
  Float learningRate;

  @Option(names = "--seed", description = "seed of the initial weights and the batch order")
  Long seed;

  @Option(names = "--unroll",
      description = "static (a Java loop, like static_rnn) or while (a TF while loop, like "
          + "dynamic_rnn); default: the preset's")
  ModelSpec.Unroll unroll;

  @Mixin
  DataOptions data;

  @Option(names = "--export-dir",
      description = "SavedModel base directory; each run adds the next version. "
          + "Default: runs/<preset>")
  Path exportDir;

  @Option(names = "--no-export", description = "do not write a SavedModel")
  boolean noExport;

  @Option(names = "--init-from",
      description = "start from the variables of this SavedModel (matched by TF1 name)")
  Path initFrom;

  @Override
  public Integer call() throws Exception {
    PresetRun.run(options(), System.out::println);
    return 0;
  }

  PresetRun.Options options() {
    Preset chosen = Presets.named(preset);
    ModelSpec model = chosen.model();
    if (unroll != null) {
      model = model.withUnroll(unroll);
    }
    if (learningRate != null) {
      requirePositive("--learning-rate", learningRate);
      model = model.withLearningRate(learningRate);
    }
    if (seed != null) {
      model = model.withSeed(seed);
    }
    chosen = chosen.withModel(model);
    if (steps != null) {
      requirePositive("--steps", steps);
      chosen = chosen.withSteps(steps);
    }
    if (batchSize != null) {
      requirePositive("--batch-size", batchSize);
      chosen = chosen.withBatchSize(batchSize);
    }
    Path export = noExport ? null : exportDir != null ? exportDir : Path.of("runs", chosen.name());
    return new PresetRun.Options(chosen, data.dir, export, initFrom);
  }

  private static void requirePositive(String flag, Number value) {
    if (value.doubleValue() <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + value);
    }
  }
}
