import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tfrnn.data.Batch;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.data.MnistFetcher;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.tensors.Tensors;

/**
 * Training step time of the while-loop unroll (TF while loop + our BPTT) against the static unroll
 * (28 cell copies + TensorFlow's gradients), same model, same batches, same process, interleaved
 * in rounds so drift hits both alike. Reports the median ms/step of each and their ratio.
 *
 * <p>Arguments: preset names (default notebook-001 notebook-002); system properties
 * bench.rounds (5), bench.steps (40 per round), bench.warmup (20).
 */
public final class TrainStepBench {
  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 5);
    int steps = Integer.getInteger("bench.steps", 40);
    int warmup = Integer.getInteger("bench.warmup", 20);
    List<String> presets = args.length > 0 ? List.of(args) : List.of("notebook-001", "notebook-002");
    MnistFetcher.ensurePresent(java.nio.file.Path.of("data/mnist"), line -> {});
    MnistDataset data = MnistDataset.load(java.nio.file.Path.of("data/mnist"));
    System.out.printf(Locale.ROOT, "%d cores, %s; %d rounds x %d steps after %d warm-up steps%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), rounds,
        steps, warmup);
    System.out.println("| model | batch | static ms/step | while ms/step | while / static |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (String name : presets) {
      Preset preset = Presets.named(name);
      try (Unroll unrolled = new Unroll(preset, ModelSpec.Unroll.STATIC, data);
          Unroll looped = new Unroll(preset, ModelSpec.Unroll.WHILE, data)) {
        unrolled.time(warmup);
        looped.time(warmup);
        double[] staticMs = new double[rounds];
        double[] whileMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          staticMs[r] = unrolled.time(steps);
          whileMs[r] = looped.time(steps);
        }
        double s = median(staticMs);
        double w = median(whileMs);
        System.out.printf(Locale.ROOT, "| %s (%s) | %d | %.1f | %.1f | %.2f |%n", name,
            preset.model().cell() == ModelSpec.Cell.BASIC_LSTM ? "LSTM " + preset.model().units()
                : "RNN " + preset.model().units(), preset.batchSize(), s, w, w / s);
      }
    }
  }

  /** One model graph and session, training on successive batches. */
  private static final class Unroll implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session = new Session(graph);
    final ModelGraph model;
    final MnistDataset data;
    final int batchSize;

    Unroll(Preset preset, ModelSpec.Unroll unroll, MnistDataset data) {
      this.model = ModelBuilder.build(graph, preset.model().withUnroll(unroll));
      this.data = data;
      this.batchSize = preset.batchSize();
    }

    /** Mean milliseconds per training step over {@code steps} steps. */
    double time(int steps) {
      long total = 0;
      for (int i = 0; i < steps; i++) {
        Batch batch = data.train().nextBatch(batchSize);
        try (Tensor x = Tensors.floats(batch.images(), batch.size(), data.timeSteps(),
                data.features());
            Tensor y = model.sparseLabels()
                ? Tensors.ints(batch.labels(), batch.size())
                : Tensors.floats(batch.oneHotLabels(data.classes()), batch.size(), data.classes())) {
          long start = System.nanoTime();
          try (Result ignored = session.runner().feed(model.images(), x)
              .feed(model.labels(), y).addTarget(model.trainOp()).run()) {
            total += System.nanoTime() - start;
          }
        }
      }
      return total / 1e6 / steps;
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
