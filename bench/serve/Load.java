import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the serving load generators share: client threads sending requests back to back for a
 * fixed time or count, their latencies, the server's RSS, the MNIST images, the options.
 */
final class Load {
  static final int PIXELS = 28 * 28;

  private Load() {}

  /** One blocking request and the check of its answer; throws on a wrong answer. */
  interface Caller {
    void call() throws Exception;
  }

  record Measurement(long count, double seconds, long[] latenciesNanos) {
    double perSecond() {
      return count / seconds;
    }

    double percentileMillis(double p) {
      long[] sorted = latenciesNanos.clone();
      Arrays.sort(sorted);
      int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, index)] / 1e6;
    }

    /** The JSON fields every measurement line carries. */
    String json() {
      return String.format(java.util.Locale.ROOT,
          "\"requests\":%d,\"per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f", count, perSecond(),
          percentileMillis(50), percentileMillis(99));
    }
  }

  /**
   * The first {@code concurrency} callers, one thread each, calling back to back until
   * {@code seconds} passed or {@code maxRequests} were sent in all.
   */
  static Measurement run(ExecutorService threads, List<? extends Caller> callers, int concurrency,
      double seconds, long maxRequests) throws Exception {
    if (concurrency > callers.size()) {
      throw new IllegalArgumentException(concurrency + " clients asked, " + callers.size()
          + " made");
    }
    long start = System.nanoTime();
    long deadline = seconds == Double.MAX_VALUE ? Long.MAX_VALUE
        : start + (long) (seconds * 1e9);
    AtomicLong tickets = new AtomicLong(maxRequests);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      Caller caller = callers.get(t);
      results.add(threads.submit(() -> {
        long[] latencies = new long[1024];
        int n = 0;
        while (System.nanoTime() < deadline && tickets.getAndDecrement() > 0) {
          long sent = System.nanoTime();
          caller.call();
          long took = System.nanoTime() - sent;
          if (n == latencies.length) {
            latencies = Arrays.copyOf(latencies, n * 2);
          }
          latencies[n++] = took;
        }
        return Arrays.copyOf(latencies, n);
      }));
    }
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : results) {
      all.add(f.get());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
    return new Measurement(latencies.length, elapsed, latencies);
  }

  /** A warm-up of {@code seconds}, then the measurement of {@code seconds}. */
  static Measurement warmAndRun(ExecutorService threads, List<? extends Caller> callers,
      int concurrency, double warmupSeconds, double seconds) throws Exception {
    if (warmupSeconds > 0) {
      run(threads, callers, concurrency, warmupSeconds, Long.MAX_VALUE);
    }
    return run(threads, callers, concurrency, seconds, Long.MAX_VALUE);
  }

  /** The resident memory of a process, in KiB (VmRSS of /proc/PID/status). */
  static long rssKiB(long pid) throws IOException {
    return Long.parseLong(Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:")).findFirst().orElseThrow()
        .replaceAll("[^0-9]", ""));
  }

  /** A little-endian float32 .npy (format version 1 or 2), flattened. */
  static float[] readFloatNpy(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes.get(6);
    int headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort(8)) : bytes.getInt(8);
    int dataStart = (major == 1 ? 10 : 12) + headerLength;
    String header = new String(bytes.array(), 0, dataStart, StandardCharsets.ISO_8859_1);
    if (!header.contains("'<f4'")) {
      throw new IOException(file + " is not a little-endian float32 .npy: " + header.trim());
    }
    float[] values = new float[(bytes.capacity() - dataStart) / 4];
    bytes.position(dataStart);
    bytes.asFloatBuffer().get(values);
    return values;
  }

  /** The first {@code batch} images (repeating when there are fewer), {@code [batch*784]}. */
  static float[] images(float[] all, int batch) {
    int available = all.length / PIXELS;
    float[] out = new float[batch * PIXELS];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(all, (i % available) * PIXELS, out, i * PIXELS, PIXELS);
    }
    return out;
  }

  /** {@code --name value} pairs; the {@code required} ones must be there. */
  static Map<String, String> options(String[] args, String... required) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
      }
      options.put(args[i], args[i + 1]);
    }
    for (String name : required) {
      if (!options.containsKey(name)) {
        throw new IllegalArgumentException("missing " + name);
      }
    }
    return options;
  }

  static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
