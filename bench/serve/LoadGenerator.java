import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a running server's :predict from its own process (a JDK HttpClient, HTTP/1.1 keep-alive,
 * one connection per client thread) and prints one JSON line per measurement:
 *
 * <ul>
 *   <li>{@code "kind":"server-status"}: the status API, one client: the HTTP round trip alone;
 *   <li>{@code "kind":"server"}: requests/s and p50/p99 latency per batch size and concurrency,
 *       each cell after a warm-up, for a fixed time;
 *   <li>{@code "kind":"rss"}: the server's resident memory (VmRSS of /proc/PID/status) sampled
 *       every 20,000 requests over a long run of batch-1 requests.
 * </ul>
 *
 * The request bodies are built once, in the row format ({@code {"instances": [...]}}, no input
 * name, so any single-input [-1,28,28] signature takes them), from MNIST test images in a .npy.
 * Every answer must be HTTP 200 with "predictions", or the run stops.
 *
 * <p>Arguments: --url MODEL_URL --images NPY --server-pid PID [--batch-sizes 1,8,64]
 * [--concurrency 1,4] [--seconds 10] [--warmup-seconds 2] [--leak-requests 100000]
 * [--leak-concurrency 4]
 */
public final class LoadGenerator {
  private static final int PIXELS = 28 * 28;
  private static final String PREDICT_ANSWER = "{\"predictions\"";
  private static final String STATUS_ANSWER = "{\"model_version_status\"";

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    URI predict = URI.create(options.get("--url") + ":predict");
    float[] images = readFloatNpy(Path.of(options.get("--images")));
    long serverPid = Long.parseLong(options.get("--server-pid"));
    int[] batchSizes = ints(options.getOrDefault("--batch-sizes", "1,8,64"));
    int[] concurrencies = ints(options.getOrDefault("--concurrency", "1,4"));
    double seconds = Double.parseDouble(options.getOrDefault("--seconds", "10"));
    double warmupSeconds = Double.parseDouble(options.getOrDefault("--warmup-seconds", "2"));
    long leakRequests = Long.parseLong(options.getOrDefault("--leak-requests", "100000"));
    int leakConcurrency = Integer.parseInt(options.getOrDefault("--leak-concurrency", "4"));

    int maxClients = Math.max(leakConcurrency, Arrays.stream(concurrencies).max().orElse(1));
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < maxClients; i++) {
      // One client per thread: its own keep-alive connection, as separate callers would have.
      clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build());
    }
    ExecutorService threads = Executors.newFixedThreadPool(maxClients);
    try {
      // The HTTP round trip alone: the status answer needs no model and almost no JSON.
      HttpRequest status = HttpRequest.newBuilder(URI.create(options.get("--url"))).GET().build();
      run(threads, clients, status, STATUS_ANSWER, 1, warmupSeconds, Long.MAX_VALUE);
      Measurement roundTrip = run(threads, clients, status, STATUS_ANSWER, 1, seconds,
          Long.MAX_VALUE);
      System.out.printf(Locale.ROOT, "{\"kind\":\"server-status\",\"concurrency\":1,"
              + "\"requests\":%d,\"per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}%n",
          roundTrip.count(), roundTrip.perSecond(), roundTrip.percentileMillis(50),
          roundTrip.percentileMillis(99));
      for (int batch : batchSizes) {
        byte[] body = requestBody(images, batch);
        HttpRequest request = predictRequest(predict, body);
        for (int concurrency : concurrencies) {
          run(threads, clients, request, PREDICT_ANSWER, concurrency, warmupSeconds,
              Long.MAX_VALUE);
          Measurement m = run(threads, clients, request, PREDICT_ANSWER, concurrency, seconds,
              Long.MAX_VALUE);
          System.out.printf(Locale.ROOT, "{\"kind\":\"server\",\"batch\":%d,\"concurrency\":%d,"
                  + "\"requests\":%d,\"per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                  + "\"request_bytes\":%d}%n", batch, concurrency, m.count(), m.perSecond(),
              m.percentileMillis(50), m.percentileMillis(99), body.length);
        }
      }
      if (leakRequests > 0) {
        HttpRequest request = predictRequest(predict, requestBody(images, 1));
        long step = Math.max(1, leakRequests / 5);
        long done = 0;
        printRss(serverPid, done);
        while (done < leakRequests) {
          long n = Math.min(step, leakRequests - done);
          run(threads, clients, request, PREDICT_ANSWER, leakConcurrency, Double.MAX_VALUE, n);
          done += n;
          printRss(serverPid, done);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private record Measurement(long count, double seconds, long[] latenciesNanos) {
    double perSecond() {
      return count / seconds;
    }

    double percentileMillis(double p) {
      long[] sorted = latenciesNanos.clone();
      Arrays.sort(sorted);
      int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, index)] / 1e6;
    }
  }

  /**
   * {@code concurrency} threads each sending requests back to back until {@code seconds} passed
   * or {@code maxRequests} were sent in all.
   */
  private static Measurement run(ExecutorService threads, List<HttpClient> clients,
      HttpRequest request, String answerPrefix, int concurrency, double seconds,
      long maxRequests) throws Exception {
    long start = System.nanoTime();
    long deadline = seconds == Double.MAX_VALUE ? Long.MAX_VALUE
        : start + (long) (seconds * 1e9);
    AtomicLong tickets = new AtomicLong(maxRequests);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      HttpClient client = clients.get(t);
      results.add(threads.submit(() -> {
        long[] latencies = new long[1024];
        int n = 0;
        while (System.nanoTime() < deadline && tickets.getAndDecrement() > 0) {
          long sent = System.nanoTime();
          HttpResponse<byte[]> response = client.send(request,
              HttpResponse.BodyHandlers.ofByteArray());
          long took = System.nanoTime() - sent;
          check(response, answerPrefix);
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

  private static HttpRequest predictRequest(URI predict, byte[] body) {
    return HttpRequest.newBuilder(predict).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static void check(HttpResponse<byte[]> response, String answerPrefix) {
    String head = new String(response.body(), 0, Math.min(200, response.body().length),
        StandardCharsets.UTF_8);
    if (response.statusCode() != 200 || !head.startsWith(answerPrefix)) {
      throw new IllegalStateException("HTTP " + response.statusCode() + ": " + head);
    }
  }

  private static void printRss(long pid, long requests) throws IOException {
    String rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:")).findFirst().orElseThrow()
        .replaceAll("[^0-9]", "");
    System.out.printf(Locale.ROOT, "{\"kind\":\"rss\",\"requests\":%d,\"rss_kb\":%s}%n",
        requests, rss);
  }

  /** {@code {"instances": [image, ...]}} with the first {@code batch} images. */
  private static byte[] requestBody(float[] images, int batch) {
    int available = images.length / PIXELS;
    StringBuilder json = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < batch; i++) {
      int image = i % available;
      json.append(i == 0 ? "[" : ", [");
      for (int row = 0; row < 28; row++) {
        json.append(row == 0 ? "[" : ", [");
        for (int col = 0; col < 28; col++) {
          json.append(col == 0 ? "" : ", ").append(images[image * PIXELS + row * 28 + col]);
        }
        json.append(']');
      }
      json.append(']');
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A little-endian float32 .npy (format version 1 or 2). */
  private static float[] readFloatNpy(Path file) throws IOException {
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

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    for (String required : List.of("--url", "--images", "--server-pid")) {
      if (!options.containsKey(required)) {
        throw new IllegalArgumentException("missing " + required);
      }
    }
    return options;
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
