import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.models.*;
import org.tfrnn.train.*;

/**
 * Cost of a training step of a candidate recipe for the preset {@code best} against the previous
 * {@code best} (one BasicLSTMCell(128), no clipping), alternating the two in rounds in one JVM so
 * that load drift hits both. Prints wall-clock and process-CPU ms/step per round and their ratios;
 * on a loaded machine the CPU ratio is the steadier one. A benchmark, not a test.
 *
 * <pre>
 * flock /tmp/bench.lock java -cp "target/classes:$(cat target/runtime-classpath.txt)" \
 *     bench/best/StepCost.java LAYERS UNITS CLIP_NORM STEPS_PER_ROUND ROUNDS
 * </pre>
 */
public class StepCost {
  static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  public static void main(String[] a) throws Exception {
    int layers = Integer.parseInt(a[0]);
    int units = Integer.parseInt(a[1]);
    float clip = Float.parseFloat(a[2]);
    int steps = Integer.parseInt(a[3]);
    int rounds = Integer.parseInt(a[4]);
    // Today's (main's) best: one BasicLSTMCell(128), no clipping, Adam 0.002 halving per 3000 steps.
    ModelSpec base = Presets.named("best").model().toBuilder().layers(1).units(128).clipNorm(0f)
        .learningRate(new LearningRate.ExponentialDecay(0.002f, 3000, 0.5f, false)).build();
    ModelSpec cand = base.toBuilder().layers(layers).units(units).clipNorm(clip).build();
    MnistDataset data = MnistDataset.load(Path.of("data/mnist"), base.seed());
    try (Graph g1 = new Graph(); Session s1 = new Session(g1); Graph g2 = new Graph(); Session s2 = new Session(g2)) {
      Trainer t1 = new Trainer(s1, ModelBuilder.build(g1, base));
      Trainer t2 = new Trainer(s2, ModelBuilder.build(g2, cand));
      Trainer.Plan warm = new Trainer.Plan(128, 20, st -> false, 0);
      t1.train(data, warm, TrainingListener.NONE);
      t2.train(data, warm, TrainingListener.NONE);
      Trainer.Plan plan = new Trainer.Plan(128, steps, st -> false, 0);
      double sum1 = 0, sum2 = 0, cpuSum1 = 0, cpuSum2 = 0;
      for (int r = 0; r < rounds; r++) {
        Trainer first = r % 2 == 0 ? t1 : t2;
        Trainer second = r % 2 == 0 ? t2 : t1;
        long cpu0 = cpu();
        double m1 = first.train(data, plan, TrainingListener.NONE).millisPerStep();
        long cpu1 = cpu();
        double m2 = second.train(data, plan, TrainingListener.NONE).millisPerStep();
        long cpu2 = cpu();
        double c1 = (cpu1 - cpu0) / 1e6 / steps, c2 = (cpu2 - cpu1) / 1e6 / steps;
        double best = r % 2 == 0 ? m1 : m2, c = r % 2 == 0 ? m2 : m1;
        double bestCpu = r % 2 == 0 ? c1 : c2, cCpu = r % 2 == 0 ? c2 : c1;
        sum1 += best; sum2 += c; cpuSum1 += bestCpu; cpuSum2 += cCpu;
        System.out.printf(Locale.ROOT, "%s round %d: wall best %.1f, candidate %.1f ms/step, ratio %.2f; "
            + "process CPU best %.1f, candidate %.1f ms/step, ratio %.2f%n",
            java.time.Instant.now(), r, best, c, c / best, bestCpu, cCpu, cCpu / bestCpu);
      }
      System.out.printf(Locale.ROOT, "mean wall: best %.1f, candidate %.1f, ratio %.2f; mean CPU: best %.1f, candidate %.1f, ratio %.2f%n",
          sum1 / rounds, sum2 / rounds, sum2 / sum1, cpuSum1 / rounds, cpuSum2 / rounds, cpuSum2 / cpuSum1);
    }
  }
}
