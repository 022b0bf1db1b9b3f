import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two or more sides measured alternately under the same load: for each round and batch size,
 * each side is warmed up and then measured for the same time, the order of the sides rotating
 * every round. A side is a running server's REST API or gRPC API; the sides may be two APIs of
 * one server (gRPC against REST) or the same API of two servers (batching on against off).
 * Prints one JSON line per round, batch size and side; report.py takes medians and the per-round
 * ratios.
 *
 * <p>Arguments: --kind KIND --model NAME --images NPY --sides LABEL=rest@MODEL_URL,LABEL=grpc@PORT
 * [--batch-sizes 1,8,64] [--concurrency 1] [--rounds 3] [--seconds 5] [--warmup-seconds 1]
 * [--initial-warmup-seconds 3]
 */
public final class AlternatingSides {
  public static void main(String[] args) throws Exception {
    Map<String, String> options = Load.options(args, "--kind", "--model", "--images", "--sides");
    String kind = options.get("--kind");
    String model = options.get("--model");
    float[] images = Load.readFloatNpy(Path.of(options.get("--images")));
    int[] batchSizes = Load.ints(options.getOrDefault("--batch-sizes", "1,8,64"));
    int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "1"));
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
    double seconds = Double.parseDouble(options.getOrDefault("--seconds", "5"));
    double warmupSeconds = Double.parseDouble(options.getOrDefault("--warmup-seconds", "1"));
    double initialWarmupSeconds = Double.parseDouble(
        options.getOrDefault("--initial-warmup-seconds", "3"));

    Map<String, Side> sides = new LinkedHashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(concurrency);
    try {
      for (String side : options.get("--sides").split(",")) {
        String[] labelAndTarget = side.split("=", 2);
        String[] apiAndEndpoint = labelAndTarget[1].split("@", 2);
        sides.put(labelAndTarget[0], new Side(apiAndEndpoint[0], apiAndEndpoint[1], model,
            concurrency));
      }
      List<String> labels = List.copyOf(sides.keySet());
      // Every side at every batch size once before the rounds: class loading and JIT
      // compilation of both client stacks (and both server paths) stay out of round 0.
      for (int batch : batchSizes) {
        for (Side side : sides.values()) {
          side.use(images, batch);
          Load.run(threads, side.callers, concurrency, initialWarmupSeconds, Long.MAX_VALUE);
        }
      }
      for (int round = 0; round < rounds; round++) {
        for (int batch : batchSizes) {
          for (int i = 0; i < labels.size(); i++) {
            String label = labels.get((i + round) % labels.size());
            Side side = sides.get(label);
            int requestBytes = side.use(images, batch);
            Load.Measurement m = Load.warmAndRun(threads, side.callers, concurrency,
                warmupSeconds, seconds);
            System.out.printf(Locale.ROOT, "{\"kind\":\"%s\",\"side\":\"%s\",\"api\":\"%s\","
                + "\"round\":%d,\"batch\":%d,\"concurrency\":%d,%s,\"request_bytes\":%d}%n",
                kind, label, side.api, round, batch, concurrency, m.json(), requestBytes);
          }
        }
      }
    } finally {
      threads.shutdownNow();
      for (Side side : sides.values()) {
        side.close();
      }
    }
  }

  /** One API of one server, with a client (its own connection) per concurrent caller. */
  private static final class Side implements AutoCloseable {
    final String api;
    final String endpoint;
    final List<Load.Caller> callers = new ArrayList<>();
    private String grpcInput;

    Side(String api, String endpoint, String model, int clients) throws Exception {
      this.api = api;
      this.endpoint = endpoint;
      for (int i = 0; i < clients; i++) {
        switch (api) {
          case "rest" -> callers.add(new ServingClients.Rest());
          case "grpc" -> callers.add(new ServingClients.Grpc(Integer.parseInt(endpoint), model));
          default -> throw new IllegalArgumentException("a side's API is rest or grpc, not '"
              + api + "'");
        }
      }
      if (api.equals("grpc")) {
        grpcInput = ((ServingClients.Grpc) callers.get(0)).inputName();
      }
    }

    /** Points every caller at the first {@code batch} images; returns one request's bytes. */
    int use(float[] images, int batch) {
      int bytes = 0;
      for (Load.Caller caller : callers) {
        bytes = caller instanceof ServingClients.Grpc grpc
            ? grpc.use(grpcInput, images, batch).requestBytes()
            : ((ServingClients.Rest) caller).use(endpoint, images, batch).requestBytes();
      }
      return bytes;
    }

    @Override
    public void close() {
      for (Load.Caller caller : callers) {
        if (caller instanceof ServingClients.Grpc grpc) {
          grpc.close();
        }
      }
    }
  }
}
