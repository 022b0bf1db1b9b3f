package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.checkpoint.CheckpointState;
import org.tfrnn.workflows.RealMnist;

/**
 * Training runs in child JVMs, as a user runs {@code ./tfrnn train}: killed with SIGKILL after a
 * checkpoint and resumed, they end exactly where an uninterrupted run ends; stopped with SIGTERM,
 * they write a checkpoint first; and Python TensorFlow and TensorBoard read what they wrote.
 */
class TrainingRunIT {
  private static final Pattern ITERATION = Pattern.compile("Iteration:  (\\d+) loss:  (\\S+) Accuracy:  (\\S+)");
  private static final Pattern TIMING = Pattern.compile("; \\d+ steps in .*");
  private static final int BATCH = 128; // notebook-003's
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void data() {
    RealMnist.load();
  }

  @Test
  void killedAndResumedEndsBitwiseWhereAStraightRunEnds(@TempDir Path tmp) throws Exception {
    Path straightDir = tmp.resolve("straight");
    List<String> straight =
        finish(train(straightDir, "--steps", "120", "--checkpoint-every", "40"));

    Path resumedDir = tmp.resolve("resumed");
    Child killed = train(resumedDir, "--steps", "120", "--checkpoint-every", "20");
    awaitCheckpoint(resumedDir, 40, killed.process());
    killed.process().destroyForcibly().waitFor(60, TimeUnit.SECONDS); // SIGKILL: no hook, no last checkpoint
    long resumeStep = stepOf(CheckpointState.read(resumedDir).latest());
    assertTrue(resumeStep < 120, "killed before the end");
    List<String> resumed = finish(train(resumedDir, "--steps", "120", "--resume"));

    assertTrue(resumed.contains("Resumed from " + resumedDir.resolve("model.ckpt-" + resumeStep)
        + ": continuing at step " + (resumeStep + 1)), String.join("\n", resumed));
    assertEquals(after(straight, resumeStep), after(resumed, resumeStep),
        "log lines after the resume point at step " + resumeStep);

    JsonNode a = read(straightDir);
    JsonNode b = read(resumedDir);
    assertEquals(straightDir.resolve("model.ckpt-120").toString(), a.get("latest_checkpoint").asText());
    assertEquals(resumedDir.resolve("model.ckpt-120").toString(), b.get("latest_checkpoint").asText());
    // Every variable, Adam slot, beta power and counter, bitwise (sum, min and max of each).
    assertEquals(a.get("variables"), b.get("variables"));
    assertEquals(120, a.get("variables").get("global_step").get("sum").asLong());
  }

  @Test
  void pythonReadsTheCheckpointsAndTheEventFiles(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    List<String> log = finish(train(dir, "--steps", "60", "--checkpoint-every", "20",
        "--keep-checkpoints", "2", "--eval-every", "30"));
    JsonNode run = read(dir);

    assertEquals(List.of(dir.resolve("model.ckpt-40").toString(), dir.resolve("model.ckpt-60").toString()),
        strings(run.get("all_checkpoints")));
    assertTrue(Files.notExists(dir.resolve("model.ckpt-20.index")), "only the last 2 are kept");
    JsonNode variables = run.get("variables");
    for (String name : List.of("Variable", "Variable_1", "rnn/basic_lstm_cell/kernel",
        "rnn/basic_lstm_cell/bias")) {
      assertEquals("float32", variables.get(name).get("dtype").asText(), name);
      assertTrue(variables.has(name + "/Adam") && variables.has(name + "/Adam_1"), name);
    }
    assertEquals(List.of(156, 512), ints(variables.get("rnn/basic_lstm_cell/kernel").get("shape")));
    // Adam's beta powers after 60 updates: 0.9^61 and 0.999^61 as float32 products.
    assertEquals(Math.pow(0.9, 61), variables.get("beta1_power").get("sum").asDouble(), 1e-6);
    assertEquals(Math.pow(0.999, 61), variables.get("beta2_power").get("sum").asDouble(), 1e-5);
    assertEquals(60, variables.get("global_step").get("sum").asLong());
    // 60 batches of 128 into 55,000 examples: still the first epoch.
    assertEquals(0, variables.get("train_data/epochs_completed").get("sum").asLong());
    assertEquals(60 * BATCH, variables.get("train_data/index_in_epoch").get("sum").asLong());

    // Every minibatch report in the log is a scalar in TensorBoard, at its step.
    JsonNode scalars = run.get("scalars");
    List<String> printed = new ArrayList<>();
    List<String> recorded = new ArrayList<>();
    for (String line : log) {
      Matcher m = ITERATION.matcher(line);
      if (m.matches()) {
        long step = Long.parseLong(m.group(1)) / BATCH;
        printed.add(step + " " + m.group(2) + " " + m.group(3));
      }
    }
    JsonNode loss = scalars.get("train/minibatch_loss");
    JsonNode accuracy = scalars.get("train/minibatch_accuracy");
    for (int i = 0; i < loss.size(); i++) {
      recorded.add(loss.get(i).get(0).asLong() + " " + pythonG6(loss.get(i).get(1).asDouble())
          + " " + pythonG6(accuracy.get(i).get(1).asDouble()));
    }
    assertEquals(printed, recorded);
    assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L), steps(scalars.get("learning_rate")));
    scalars.get("learning_rate").forEach(p -> assertEquals(0.001, p.get(1).asDouble(), 1e-9));
    assertEquals(List.of(30L, 60L), steps(scalars.get("validation/accuracy")));
    scalars.get("validation/accuracy").forEach(p ->
        assertTrue(p.get(1).asDouble() > 0.1 && p.get(1).asDouble() <= 1, p.toString()));
    // The histograms at step 60 describe the very values the step-60 checkpoint holds.
    for (String name : List.of("Variable", "rnn/basic_lstm_cell/kernel")) {
      JsonNode last = run.get("histograms").get(name).get(1);
      JsonNode saved = variables.get(name);
      assertEquals(60, last.get(0).asLong(), name);
      assertEquals(product(saved.get("shape")), last.get(1).asLong(), name);
      assertEquals(saved.get("sum").asDouble(), last.get(2).asDouble(), 1e-6, name);
      assertEquals(saved.get("min").asDouble(), last.get(3).asDouble(), 0, name);
      assertEquals(saved.get("max").asDouble(), last.get(4).asDouble(), 0, name);
    }
    // ... and bucket for bucket what TensorFlow's own HistogramSummary makes of them.
    assertEquals(4, run.get("tf_histogram_equal").size(), run.get("tf_histogram_equal").toString());
    run.get("tf_histogram_equal").fields().forEachRemaining(e ->
        assertTrue(e.getValue().asBoolean(), e.getKey()));
    assertTrue(run.get("graph_nodes").asInt() > 100, "the graph is in the event file");
  }

  @Test
  void sigtermFinishesTheStepWritesACheckpointAndSaysHowToResume(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("run");
    Process run = train(dir, "--steps", "5000").process();
    Path out = stdout(dir);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (lines(out).stream().filter(l -> ITERATION.matcher(l).matches()).count() < 2) {
      assertTrue(run.isAlive() && System.nanoTime() < deadline, String.join("\n", lines(out)));
      Thread.sleep(100);
    }
    run.destroy(); // SIGTERM
    assertTrue(run.waitFor(2, TimeUnit.MINUTES));
    List<String> log = lines(out);
    String stopped = log.stream().filter(l -> l.startsWith("Stopped after step ")).findFirst()
        .orElseThrow(() -> new AssertionError(String.join("\n", log)));
    long step = Long.parseLong(stopped.replaceAll("Stopped after step (\\d+) of 5000.*", "$1"));
    assertTrue(step >= 20 && step < 5000, stopped);
    assertTrue(stopped.contains("Resume with the same command and --resume"), stopped);
    assertEquals("model.ckpt-" + step, CheckpointState.read(dir).latest());
    assertEquals(step, read(dir).get("variables").get("global_step").get("sum").asLong());
  }

  /** A child JVM running {@code tfrnn train --preset notebook-003 --checkpoint-dir dir ...}. */
  private record Child(Process process, Path dir, int linesBefore) {}

  private static Child train(Path dir, String... args) throws IOException {
    Files.createDirectories(dir);
    String classpath = "target/classes:" + Files.readString(Path.of("target/runtime-classpath.txt")).strip();
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx2g", "-cp", classpath,
        "org.tfrnn.cli.Main", "train", "--preset", "notebook-003", "--data-dir",
        RealMnist.DIR.toString(), "--checkpoint-dir", dir.toString(), "--no-export"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout(dir).toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr(dir).toFile()));
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    int before = lines(stdout(dir)).size();
    return new Child(builder.start(), dir, before);
  }

  /** Waits for a run to end well; returns the lines it printed (this run's only). */
  private static List<String> finish(Child child) throws Exception {
    assertTrue(child.process().waitFor(10, TimeUnit.MINUTES), "training did not finish in 10 minutes");
    List<String> all = lines(stdout(child.dir()));
    assertEquals(0, child.process().exitValue(), String.join("\n", all) + "\n"
        + Files.readString(stderr(child.dir())));
    return all.subList(child.linesBefore(), all.size());
  }

  private static Path stdout(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".stdout");
  }

  private static Path stderr(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".stderr");
  }

  /** Waits for the state file to name a checkpoint at or past {@code step}; returns its step. */
  private static long awaitCheckpoint(Path dir, long step, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      CheckpointState state = CheckpointState.read(dir);
      if (state != null && stepOf(state.latest()) >= step) {
        return stepOf(state.latest());
      }
      assertTrue(process.isAlive(), "the run ended before its checkpoint at step " + step);
      Thread.sleep(20);
    }
    throw new AssertionError("no checkpoint at step " + step + " within 5 minutes");
  }

  /** The log from the first report after {@code step} on, without the timing. */
  private static List<String> after(List<String> log, long step) {
    int from = -1;
    for (int i = 0; i < log.size() && from < 0; i++) {
      Matcher m = ITERATION.matcher(log.get(i));
      if (m.matches() && Long.parseLong(m.group(1)) / BATCH > step) {
        from = i;
      }
    }
    assertTrue(from >= 0, "no report after step " + step + ":\n" + String.join("\n", log));
    return log.subList(from, log.size()).stream()
        .filter(l -> !l.startsWith("Curves: ")) // each run draws into its own directory
        .map(l -> TIMING.matcher(l).replaceAll("")).toList();
  }

  private static JsonNode read(Path dir) throws Exception {
    PythonProcess.Outcome python = PythonProcess.run("read_training_run.py",
        "--checkpoint-dir", dir.toString(), "--logdir", dir.toString());
    assertEquals(0, python.exitCode(), python.describe());
    return JSON.readTree(python.lastLine());
  }

  private static long stepOf(String checkpoint) {
    return Long.parseLong(checkpoint.substring(checkpoint.lastIndexOf('-') + 1));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asInt()));
    return values;
  }

  private static List<Long> steps(JsonNode points) {
    List<Long> values = new ArrayList<>();
    points.forEach(p -> values.add(p.get(0).asLong()));
    return values;
  }

  private static long product(JsonNode shape) {
    long n = 1;
    for (JsonNode d : shape) {
      n *= d.asLong();
    }
    return n;
  }

  /** Python's {@code '%.6g'} for the magnitudes of a loss and an accuracy. */
  private static String pythonG6(double value) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(6))
        .stripTrailingZeros().toPlainString();
  }
}
