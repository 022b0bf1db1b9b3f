import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;
import org.tfrnn.data.Batch;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Presets;
import org.tfrnn.tensors.Tensors;
import org.tfrnn.train.SessionThreads;

/**
 * The Java side of bench/training/compare.py: a long-lived process that builds training graphs
 * once and then times training steps on request, so the driver can alternate Java and Python
 * step by step without paying process start and graph building in the measurement.
 *
 * <p>Protocol (one command per stdin line, one reply per line on stdout, prefixed {@code @@}):
 * <pre>
 *   setup ROW PATH       build ROW's graph for PATH (static | while | fast), in this worker's
 *                        lanes, and run warm-up steps
 *   time ROW PATH STEPS  train STEPS steps, reply the median ms of a step
 *   matmul N REPS        one [N,N]x[N,N] fp32 matmul REPS times, reply the best GFLOP/s
 *   profile ROW PATH N   N steps traced (RunOptions FULL), reply the op-time breakdown
 * </pre>
 * A step is what the Python side times as well: the batch's tensors made from Java arrays, one
 * {@code session.run} of the training op, the tensors closed. Every graph of a worker is cut into
 * {@code -Dbench.lanes} batch lanes (default: {@link ModelBuilder#TRAINING_LANES}, what {@code
 * ./tfrnn train} uses; 1 is the notebook's graph). Session threads come from {@code
 * -Dbench.threads=INTRA,INTER} (0 = TensorFlow's default), by default what {@code ./tfrnn train}
 * picks for the lanes ({@link SessionThreads#forLanes}). TensorFlow keeps one thread pool per
 * process (the first session's), so a worker has one setting for all its paths.
 */
public final class JavaTrainWorker {
  /** The rows: a preset and the batch its notebook trains with. */
  private static final Map<String, String> ROW_PRESETS =
      Map.of("lstm-b128", "notebook-003", "lstm-b100", "notebook-001", "rnn-b1000", "notebook-002");

  private final MnistDataset data;
  private final ConfigProto config;
  private final int lanes;
  private final int warmup;
  private final Map<String, Trainer> trainers = new HashMap<>();

  private JavaTrainWorker(MnistDataset data, ConfigProto config, int lanes, int warmup) {
    this.data = data;
    this.config = config;
    this.lanes = lanes;
    this.warmup = warmup;
  }

  public static void main(String[] args) throws Exception {
    int lanes = Integer.getInteger("bench.lanes", ModelBuilder.TRAINING_LANES);
    String threadsGiven = System.getProperty("bench.threads", "");
    SessionThreads threads = threadsGiven.isEmpty()
        ? SessionThreads.forLanes(lanes) : SessionThreads.parse(threadsGiven);
    JavaTrainWorker worker = new JavaTrainWorker(MnistDataset.load(Path.of("data/mnist")),
        threads.config(), lanes, Integer.getInteger("bench.warmup", 20));
    reply("ready java " + System.getProperty("java.version") + "; lanes " + lanes
        + ", threads intra,inter = " + threads);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null && !line.isBlank(); ) {
        try {
          reply(worker.handle(line.trim().split("\\s+")));
        } catch (RuntimeException e) {
          reply("error " + e.toString().replace('\n', ' '));
        }
      }
    } finally {
      worker.trainers.values().forEach(Trainer::close);
    }
  }

  private static void reply(String text) {
    System.out.println("@@ " + text);
    System.out.flush();
  }

  private String handle(String[] command) {
    switch (command[0]) {
      case "setup" -> {
        Trainer trainer = new Trainer(command[1], command[2], data, config, lanes);
        trainers.put(command[1] + " " + command[2], trainer);
        trainer.time(warmup);
        return "ok";
      }
      case "time" -> {
        return String.format(Locale.ROOT, "%.4f",
            trainer(command).time(Integer.parseInt(command[3])));
      }
      case "profile" -> {
        return trainer(command).profile(Integer.parseInt(command[3]));
      }
      case "matmul" -> {
        return String.format(Locale.ROOT, "%.2f",
            matmulGflops(Integer.parseInt(command[1]), Integer.parseInt(command[2]), config));
      }
      default -> throw new IllegalArgumentException("unknown command " + command[0]);
    }
  }

  private Trainer trainer(String[] command) {
    Trainer trainer = trainers.get(command[1] + " " + command[2]);
    if (trainer == null) {
      throw new IllegalArgumentException("no setup for " + command[1] + " " + command[2]);
    }
    return trainer;
  }

  /** Best GFLOP/s of one [n,n]x[n,n] matmul on variables already in memory. */
  private static double matmulGflops(int n, int reps, ConfigProto config) {
    try (Graph graph = new Graph(); Session session = new Session(graph, config)) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> a = tf.variable(tf.random.randomUniform(
          tf.constant(new long[] {n, n}), TFloat32.class));
      Variable<TFloat32> b = tf.variable(tf.random.randomUniform(
          tf.constant(new long[] {n, n}), TFloat32.class));
      // Only a scalar leaves the session, so the fetch costs nothing next to n^3.
      Operand<TFloat32> product =
          tf.slice(tf.linalg.matMul(a, b), tf.constant(new long[] {0, 0}),
              tf.constant(new long[] {1, 1}));
      session.initialize();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < reps + 1; i++) {
        long start = System.nanoTime();
        try (Result ignored = session.runner().fetch(product).run()) {
          double seconds = (System.nanoTime() - start) / 1e9;
          if (i > 0) {
            best = Math.min(best, seconds);
          }
        }
      }
      return 2.0 * n * n * n / best / 1e9;
    }
  }

  /** One model graph and its session, training on successive MNIST batches. */
  private static final class Trainer implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session;
    final ModelGraph model;
    final MnistDataset data;
    final int batchSize;

    Trainer(String row, String path, MnistDataset data, ConfigProto config, int lanes) {
      String presetName = ROW_PRESETS.get(row);
      if (presetName == null) {
        throw new IllegalArgumentException("unknown row " + row + "; known " + ROW_PRESETS.keySet());
      }
      var preset = Presets.named(presetName);
      ModelSpec.Unroll unroll = switch (path) {
        case "static" -> ModelSpec.Unroll.STATIC;
        case "while" -> ModelSpec.Unroll.WHILE;
        case "fast" -> ModelSpec.Unroll.FAST;
        default -> throw new IllegalArgumentException("unknown path " + path);
      };
      this.session = new Session(graph, config);
      this.model = ModelBuilder.build(graph, preset.model().withUnroll(unroll), lanes);
      this.data = data;
      this.batchSize = preset.batchSize();
      session.initialize();
    }

    /**
     * Median milliseconds of one training step over {@code steps} steps (a median, so that a
     * moment when another process takes the core does not count).
     */
    double time(int steps) {
      List<Long> nanos = new ArrayList<>(steps);
      for (int i = 0; i < steps; i++) {
        Batch batch = data.train().nextBatch(batchSize);
        long start = System.nanoTime();
        try (Result ignored = run(batch, null)) {
          nanos.add(System.nanoTime() - start);
        }
      }
      return median(nanos) / 1e6;
    }

    private Result run(Batch batch, RunOptions options) {
      try (Tensor x = Tensors.floats(batch.images(), batch.size(), 28, 28);
          Tensor y = model.sparseLabels()
              ? Tensors.ints(batch.labels(), batch.size())
              : Tensors.floats(batch.oneHotLabels(10), batch.size(), 10)) {
        var runner = session.runner().feed(model.images(), x).feed(model.labels(), y)
            .addTarget(model.trainOp());
        if (options == null) {
          return runner.run();
        }
        return runner.setOptions(options).runAndFetchMetadata();
      }
    }

    /**
     * {@code steps} traced steps: the median wall time, and per op type (as the executor ran it,
     * after Grappler's rewrites) the median over steps of its summed op time and its count. Ops
     * overlap on two cores, so the sums exceed the wall time. "loop" marks ops inside a while loop.
     */
    String profile(int steps) {
      RunOptions options =
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      Map<String, List<Long>> micros = new HashMap<>();
      Map<String, Long> counts = new HashMap<>();
      List<Long> walls = new ArrayList<>();
      for (int step = 0; step < steps; step++) {
        StepStats stats;
        try (Result result = run(data.train().nextBatch(batchSize), options)) {
          stats = result.getMetadata().orElseThrow().getStepStats();
        }
        Map<String, Long> sums = new HashMap<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (var device : stats.getDevStatsList()) {
          for (NodeExecStats node : device.getNodeStatsList()) {
            String key = (node.getNodeName().contains("while/") ? "loop " : "outside ")
                + opType(node);
            sums.merge(key, node.getAllEndRelMicros(), Long::sum);
            if (step == 0) {
              counts.merge(key, 1L, Long::sum);
            }
            first = Math.min(first, node.getAllStartMicros());
            last = Math.max(last, node.getAllStartMicros() + node.getAllEndRelMicros());
          }
        }
        sums.forEach((k, v) -> micros.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        walls.add(last - first);
      }
      List<Map.Entry<String, Long>> medians = new ArrayList<>();
      micros.forEach((k, v) -> medians.add(Map.entry(k, median(v))));
      medians.sort(Comparator.comparingLong((Map.Entry<String, Long> e) -> -e.getValue()));
      StringBuilder out = new StringBuilder("wall_us=" + median(walls));
      for (var e : medians) {
        out.append(';').append(e.getKey()).append('=').append(e.getValue()).append('/')
            .append(counts.getOrDefault(e.getKey(), 0L));
      }
      return out.toString();
    }

    /** The op type from the trace's timeline label, "name = Type(inputs)". */
    private static String opType(NodeExecStats node) {
      String label = node.getTimelineLabel();
      int equals = label.indexOf(" = ");
      int paren = label.indexOf('(', Math.max(equals, 0));
      return equals >= 0 && paren > equals ? label.substring(equals + 3, paren) : node.getNodeName();
    }

    private static long median(List<Long> values) {
      List<Long> sorted = new ArrayList<>(values);
      sorted.sort(null);
      return sorted.get(sorted.size() / 2);
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
