import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * The same model called in-process through the Predictor library (no HTTP, no JSON), one caller
 * in a loop: what the server costs on top of the model itself. Prints one JSON line per batch
 * size, like python_direct.py.
 *
 * <p>Arguments: MODEL_DIR IMAGES_NPY BATCH_SIZES(1,8,64) SECONDS WARMUP_SECONDS
 */
public final class PredictorDirect {
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    float[] images = Npy.read(Path.of(args[1])).floats();
    int[] batchSizes = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
    double seconds = Double.parseDouble(args[3]);
    double warmup = Double.parseDouble(args[4]);
    try (Predictor predictor = Predictor.open(model)) {
      SignatureSpec signature = predictor.signature(null);
      String input = signature.inputs().keySet().iterator().next();
      for (int batch : batchSizes) {
        float[] data = new float[batch * 784];
        for (int i = 0; i < batch; i++) {
          System.arraycopy(images, (i % (images.length / 784)) * 784, data, i * 784, 784);
        }
        Map<String, NdValue> inputs = Map.of(input, NdValue.ofFloats(data, batch, 28, 28));
        loop(predictor, signature.key(), inputs, warmup);
        long[] latencies = loop(predictor, signature.key(), inputs, seconds);
        double total = Arrays.stream(latencies).sum() / 1e9;
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "{\"kind\":\"java-predictor\",\"batch\":%d,\"calls\":%d,"
                + "\"per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}%n", batch, latencies.length,
            latencies.length / total, percentile(latencies, 50), percentile(latencies, 99));
      }
    }
  }

  private static long[] loop(Predictor predictor, String signature, Map<String, NdValue> inputs,
      double seconds) {
    long[] latencies = new long[1024];
    int n = 0;
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      predictor.predict(signature, inputs);
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = System.nanoTime() - start;
    }
    return Arrays.copyOf(latencies, n);
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }
}
