package org.tfrnn.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.List;
import org.tfrnn.data.DataFiles;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.train.SessionThreads;
import org.tfrnn.workflows.PresetRun;
import org.tfrnn.workflows.Tracking;
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
      description = "static (a Java loop, like static_rnn), while (a TF while loop, like "
          + "dynamic_rnn) or fast (a static unroll built for speed, LSTM only; same variables "
          + "and results as static); default: the preset's")
  ModelSpec.Unroll unroll;

  @Option(names = "--lanes", paramLabel = "N",
      description = "batch lanes: the batch cut in N slices, each its own unroll or loop, run side "
          + "by side on the cores; same variables and results within float rounding. Default: 2 "
          + "(0.7x Python's time per step on an idle 2-core machine, BENCHMARKS.md), best: 1 (its "
          + "recorded run); 1 trains the notebook's graph op for op (graphs/)")
  Integer lanes;

  @Option(names = "--threads", paramLabel = "INTRA,INTER",
      description = "TensorFlow session threads: within one op, and ops at once (ConfigProto "
          + "intra_op/inter_op_parallelism_threads); 0 = TensorFlow's default. Default: one "
          + "inter-op thread per lane and the cores shared among the lanes within an op (1,2 on "
          + "2 cores with 2 lanes); with one lane 0,0")
  String threads;

  @Mixin
  DataOptions data;

  @Option(names = "--train-images", description = "training images, IDX or .npy [n, steps, features]")
  Path trainImages;

  @Option(names = "--train-labels", description = "training labels, IDX or .npy [n]")
  Path trainLabels;

  @Option(names = "--test-images", description = "test images, IDX or .npy [n, steps, features]")
  Path testImages;

  @Option(names = "--test-labels", description = "test labels, IDX or .npy [n]")
  Path testLabels;

  @Option(names = "--export-dir",
      description = "SavedModel base directory; each run adds the next version. "
          + "Default: runs/<preset>")
  Path exportDir;

  @Option(names = "--no-export", description = "do not write a SavedModel")
  boolean noExport;

  @Option(names = "--init-from",
      description = "start from the variables of this SavedModel (matched by TF1 name)")
  Path initFrom;

  @Option(names = "--logdir",
      description = "TensorBoard event files. Default: the --checkpoint-dir if given (so a resumed "
          + "run continues the same curves), else runs/<preset>/logs/<date-time>")
  Path logdir;

  @Option(names = "--no-logdir", description = "write no TensorBoard event files")
  boolean noLogdir;

  @Option(names = "--checkpoint-dir",
      description = "write TF1 checkpoints (model.ckpt-STEP) here, at the end, every "
          + "--checkpoint-every steps and when stopped by Ctrl-C or SIGTERM")
  Path checkpointDir;

  @Option(names = "--checkpoint-every", defaultValue = "0",
      description = "steps between checkpoints; 0: only at the end and when stopped. "
          + "Default: ${DEFAULT-VALUE}")
  int checkpointEvery;

  @Option(names = "--keep-checkpoints", defaultValue = "" + Tracking.DEFAULT_KEEP,
      description = "how many of the newest checkpoints to keep. Default: ${DEFAULT-VALUE}")
  int keepCheckpoints;

  @Option(names = "--resume",
      description = "continue from the newest checkpoint in --checkpoint-dir at its exact step "
          + "(weights, optimizer state, learning-rate schedule, data order)")
  boolean resume;

  @Option(names = "--eval-every", defaultValue = "0",
      description = "steps between validation evaluations (TensorBoard); 0: once per epoch. "
          + "Default: ${DEFAULT-VALUE}")
  int evalEvery;

  enum Export { BEST, LAST }

  @Option(names = "--export", defaultValue = "LAST", paramLabel = "best|last",
      description = "which weights to evaluate and export: last, or best (the best validation "
          + "accuracy seen). Default: last")
  Export export;

  @Option(names = "--early-stop", defaultValue = "0", paramLabel = "PATIENCE",
      description = "stop when validation accuracy has not improved for PATIENCE evaluations; "
          + "0: never. Default: ${DEFAULT-VALUE}")
  int earlyStop;

  @Override
  public Integer call() throws Exception {
    PresetRun.Options options = options();
    // Ctrl-C or SIGTERM: the JVM runs this hook; training sees the request after its current
    // step, writes a checkpoint and returns, and only then may the JVM exit.
    AtomicBoolean stopRequested = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onSignal = new Thread(() -> {
      stopRequested.set(true);
      try {
        finished.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tfrnn-stop");
    Runtime.getRuntime().addShutdownHook(onSignal);
    // A terminal gets a live progress line; piped output stays the notebook's lines alone.
    boolean terminal = System.console() != null;
    Consumer<String> out = terminal
        ? line -> System.out.println(CLEAR_LINE + line) // over the progress line, not after it
        : System.out::println;
    try (ProgressLine progress = terminal ? new ProgressLine(options.preset().steps()) : null) {
      PresetRun.Options run = withStop(options, stopRequested::get);
      if (progress != null) {
        run = run.withTracking(run.tracking().withProgress(progress));
      }
      PresetRun.run(run, out);
    } finally {
      finished.countDown();
    }
    return 0;
  }

  /** Carriage return and ANSI erase-to-end-of-line. */
  private static final String CLEAR_LINE = "\r\033[K";

  private static final long STOP_GRACE_SECONDS = 120;

  private static PresetRun.Options withStop(PresetRun.Options options, BooleanSupplier stop) {
    return options.withTracking(options.tracking().withStopRequested(stop));
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
    Path exportBase = noExport ? null : exportDir != null ? exportDir : Path.of("runs", chosen.name());
    Path events = noLogdir ? null : logdir != null ? logdir : checkpointDir != null
        ? checkpointDir
        : Path.of("runs", chosen.name(), "logs",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    return new PresetRun.Options(chosen, data.dir, dataFiles(), exportBase, initFrom, new Tracking(events,
        checkpointDir, checkpointEvery, keepCheckpoints, resume, evalEvery, () -> false,
        this.export == Export.BEST, earlyStop), threads == null ? null : SessionThreads.parse(threads),
        lanes());
  }

  /** --lanes checked; 0 for the default. */
  private int lanes() {
    if (lanes == null) {
      return 0;
    }
    requirePositive("--lanes", lanes);
    return lanes;
  }

  /** The four explicit files, all or none. */
  private DataFiles.Paths dataFiles() {
    List<Path> given = java.util.Arrays.asList(trainImages, trainLabels, testImages, testLabels);
    if (given.stream().allMatch(java.util.Objects::isNull)) {
      return null;
    }
    if (given.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("give all four of --train-images, --train-labels, "
          + "--test-images and --test-labels, or none (then --data-dir is searched)");
    }
    return new DataFiles.Paths(trainImages, trainLabels, testImages, testLabels);
  }

  private static void requirePositive(String flag, Number value) {
    if (value.doubleValue() <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + value);
    }
  }
}
