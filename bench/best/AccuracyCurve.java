import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.models.*;
import org.tfrnn.train.*;

/**
 * Accuracy on all 10,000 test images along one training run of a recipe derived from the preset
 * {@code best}: evaluated after FIRST steps and then every EVERY steps up to TOTAL. The schedule
 * depends on the global step only and evaluation changes neither weights nor batch order, so the
 * value after N steps is what the same recipe with {@code --steps N} reaches. An experiment tool.
 *
 * <pre>
 * java -cp "target/classes:$(cat target/runtime-classpath.txt)" bench/best/AccuracyCurve.java \
 *     LAYERS UNITS LEARNING_RATE HALVING_STEPS CLIP_NORM TOTAL EVERY FIRST
 * </pre>
 */
public class AccuracyCurve {
  public static void main(String[] a) throws Exception {
    int layers = Integer.parseInt(a[0]);
    int units = Integer.parseInt(a[1]);
    float lr = Float.parseFloat(a[2]);
    int decaySteps = Integer.parseInt(a[3]);
    float clip = Float.parseFloat(a[4]);
    int total = Integer.parseInt(a[5]);
    int every = Integer.parseInt(a[6]);
    int firstEval = Integer.parseInt(a[7]);
    Preset best = Presets.named("best");
    ModelSpec spec = best.model().toBuilder().layers(layers).units(units).clipNorm(clip)
        .learningRate(new LearningRate.ExponentialDecay(lr, decaySteps, 0.5f, false)).build();
    MnistDataset data = MnistDataset.load(Path.of("data/mnist"), spec.seed());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph m = ModelBuilder.build(g, spec);
      Trainer t = new Trainer(s, m);
      int done = 0;
      double seconds = 0;
      while (done < total) {
        int chunk = done < firstEval ? firstEval - done : every;
        Trainer.Summary sum = t.train(data, new Trainer.Plan(128, chunk, st -> false, 0), TrainingListener.NONE);
        done += chunk;
        seconds += sum.seconds();
        Evaluation e = t.evaluate(data.test(), data.test().size());
        System.out.printf(Locale.ROOT, "%s step %d test %.4f chunk %.1f ms/step total train %.0f s%n",
            java.time.Instant.now(), done, e.accuracy(), sum.millisPerStep(), seconds);
      }
    }
  }
}
