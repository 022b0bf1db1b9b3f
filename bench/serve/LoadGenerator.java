import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Drives a running server's REST :predict from its own process (one JDK HttpClient, HTTP/1.1
 * keep-alive connection, per client thread) and prints one JSON line per measurement:
 *
 * <ul>
 *   <li>{@code "kind":"server-status"}: the status API, one client: the HTTP round trip alone;
 *   <li>{@code "kind":"server"}: requests/s and p50/p99 latency per batch size and concurrency,
 *       each cell after a warm-up, for a fixed time;
 *   <li>{@code "kind":"rss"}: the server's resident memory (VmRSS of /proc/PID/status) sampled
 *       every fifth of a long run of batch-1 requests.
 * </ul>
 *
 * Every answer must be HTTP 200 with "predictions", or the run stops.
 *
 * <p>Arguments: --url MODEL_URL --images NPY --server-pid PID [--batch-sizes 1,8,64]
 * [--concurrency 1,4] [--seconds 10] [--warmup-seconds 2] [--leak-requests 100000]
 * [--leak-concurrency 4]
 */
public final class LoadGenerator {
  private static final String STATUS_ANSWER = "{\"model_version_status\"";

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Load.options(args, "--url", "--images", "--server-pid");
    String url = options.get("--url");
    float[] images = Load.readFloatNpy(Path.of(options.get("--images")));
    long serverPid = Long.parseLong(options.get("--server-pid"));
    int[] batchSizes = Load.ints(options.getOrDefault("--batch-sizes", "1,8,64"));
    int[] concurrencies = Load.ints(options.getOrDefault("--concurrency", "1,4"));
    double seconds = Double.parseDouble(options.getOrDefault("--seconds", "10"));
    double warmupSeconds = Double.parseDouble(options.getOrDefault("--warmup-seconds", "2"));
    long leakRequests = Long.parseLong(options.getOrDefault("--leak-requests", "100000"));
    int leakConcurrency = Integer.parseInt(options.getOrDefault("--leak-concurrency", "4"));

    int maxClients = Math.max(leakConcurrency, Arrays.stream(concurrencies).max().orElse(1));
    List<ServingClients.Rest> clients = new ArrayList<>();
    for (int i = 0; i < maxClients; i++) {
      clients.add(new ServingClients.Rest());
    }
    ExecutorService threads = Executors.newFixedThreadPool(maxClients);
    try {
      // The HTTP round trip alone: the status answer needs no model and almost no JSON.
      HttpClient statusClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .build();
      HttpRequest status = HttpRequest.newBuilder(URI.create(url)).GET().build();
      Load.Caller statusCall = () -> {
        HttpResponse<String> response = statusClient.send(status,
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200 || !response.body().startsWith(STATUS_ANSWER)) {
          throw new IllegalStateException("HTTP " + response.statusCode() + ": "
              + response.body());
        }
      };
      Load.Measurement roundTrip = Load.warmAndRun(threads, List.of(statusCall), 1,
          warmupSeconds, seconds);
      System.out.printf(Locale.ROOT, "{\"kind\":\"server-status\",\"concurrency\":1,%s}%n",
          roundTrip.json());
      for (int batch : batchSizes) {
        clients.forEach(client -> client.use(url, images, batch));
        for (int concurrency : concurrencies) {
          Load.Measurement m = Load.warmAndRun(threads, clients, concurrency, warmupSeconds,
              seconds);
          System.out.printf(Locale.ROOT, "{\"kind\":\"server\",\"batch\":%d,\"concurrency\":%d,"
              + "%s,\"request_bytes\":%d}%n", batch, concurrency, m.json(),
              clients.get(0).requestBytes());
        }
      }
      if (leakRequests > 0) {
        clients.forEach(client -> client.use(url, images, 1));
        long step = Math.max(1, leakRequests / 5);
        long done = 0;
        printRss(serverPid, done);
        while (done < leakRequests) {
          long n = Math.min(step, leakRequests - done);
          Load.run(threads, clients, leakConcurrency, Double.MAX_VALUE, n);
          done += n;
          printRss(serverPid, done);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static void printRss(long pid, long requests) throws Exception {
    System.out.printf(Locale.ROOT, "{\"kind\":\"rss\",\"requests\":%d,\"rss_kb\":%d}%n",
        requests, Load.rssKiB(pid));
  }
}
