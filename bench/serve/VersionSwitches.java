import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;

/**
 * A server's resident memory over many hot version switches, the way a model gets new versions
 * in production: the next version number appears under the base path the server polls (a copy
 * of the fixture, written beside it and renamed in, so the server never sees half a version),
 * the server loads it and unloads the one before; once gRPC GetModelStatus shows the new version
 * alone AVAILABLE, the old directory is deleted and the server's VmRSS read. Meanwhile client
 * threads keep sending batch-1 gRPC Predict requests; every failure is counted (not fatal).
 *
 * <p>Prints one JSON line per switch ({@code "kind":"switch"}) and a summary
 * ({@code "kind":"switch-summary"}).
 *
 * <p>Arguments: --base DIR (the served base path, holding its current version) --fixture
 * SAVED_MODEL_DIR --grpc-port PORT --model NAME --images NPY --server-pid PID [--switches 200]
 * [--clients 2] [--switch-timeout-seconds 120]
 */
public final class VersionSwitches {
  public static void main(String[] args) throws Exception {
    Map<String, String> options = Load.options(args, "--base", "--fixture", "--grpc-port",
        "--model", "--images", "--server-pid");
    Path base = Path.of(options.get("--base"));
    Path fixture = Path.of(options.get("--fixture"));
    int port = Integer.parseInt(options.get("--grpc-port"));
    String model = options.get("--model");
    float[] images = Load.readFloatNpy(Path.of(options.get("--images")));
    long serverPid = Long.parseLong(options.get("--server-pid"));
    int switches = Integer.parseInt(options.getOrDefault("--switches", "200"));
    int clients = Integer.parseInt(options.getOrDefault("--clients", "2"));
    long timeoutNanos = (long) (Double.parseDouble(
        options.getOrDefault("--switch-timeout-seconds", "120")) * 1e9);

    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .build();
    ModelServiceGrpc.ModelServiceBlockingStub status = ModelServiceGrpc.newBlockingStub(channel);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    Thread[] load = new Thread[clients];
    ServingClients.Grpc[] callers = new ServingClients.Grpc[clients];
    try {
      long version = onlyAvailable(status, model);
      if (version < 0) {
        throw new IllegalStateException("model " + model + " is not served as one version: "
            + status.getModelStatus(request(model)));
      }
      for (int i = 0; i < clients; i++) {
        ServingClients.Grpc caller = new ServingClients.Grpc(port, model);
        callers[i] = caller.use(caller.inputName(), images, 1);
        load[i] = new Thread(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            try {
              caller.call();
              ok.incrementAndGet();
            } catch (RuntimeException e) {
              if (Thread.currentThread().isInterrupted()) {
                break; // the benchmark is over; a call cut short is not a failure
              }
              failed.incrementAndGet();
              firstFailure.compareAndSet(null, String.valueOf(e));
            }
          }
        }, "switch-load-" + i);
        load[i].start();
      }
      for (int n = 1; n <= switches; n++) {
        long next = version + 1;
        long start = System.nanoTime();
        Path incoming = base.resolve(".incoming-" + next);
        copySavedModel(fixture, incoming);
        Files.move(incoming, base.resolve(Long.toString(next)), StandardCopyOption.ATOMIC_MOVE);
        while (onlyAvailable(status, model) != next) {
          if (System.nanoTime() - start > timeoutNanos) {
            throw new IllegalStateException("version " + next + " was not served alone after "
                + timeoutNanos / 1e9 + " s: " + status.getModelStatus(request(model)));
          }
          Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        deleteTree(base.resolve(Long.toString(version)));
        version = next;
        System.out.printf(Locale.ROOT, "{\"kind\":\"switch\",\"switch\":%d,\"version\":%d,"
            + "\"seconds\":%.3f,\"rss_kb\":%d,\"requests_ok\":%d,\"requests_failed\":%d}%n",
            n, next, seconds, Load.rssKiB(serverPid), ok.get(), failed.get());
      }
    } finally {
      for (Thread thread : load) {
        if (thread != null) {
          thread.interrupt();
          thread.join();
        }
      }
      for (ServingClients.Grpc caller : callers) {
        if (caller != null) {
          caller.close();
        }
      }
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    String failure = firstFailure.get() == null ? "" : firstFailure.get()
        .replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    System.out.printf(Locale.ROOT, "{\"kind\":\"switch-summary\",\"switches\":%d,\"clients\":%d,"
        + "\"requests_ok\":%d,\"requests_failed\":%d,\"first_failure\":\"%s\"}%n", switches,
        clients, ok.get(), failed.get(), failure);
  }

  private static GetModelStatusRequest request(String model) {
    return GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
        .build();
  }

  /** The version that is AVAILABLE if exactly one is and no other is loading or unloading, else -1. */
  private static long onlyAvailable(ModelServiceGrpc.ModelServiceBlockingStub status,
      String model) {
    List<ModelVersionStatus> versions = status.withDeadlineAfter(30, TimeUnit.SECONDS)
        .getModelStatus(request(model)).getModelVersionStatusList();
    long available = -1;
    for (ModelVersionStatus version : versions) {
      switch (version.getState()) {
        case AVAILABLE -> {
          if (available != -1) {
            return -1;
          }
          available = version.getVersion();
        }
        case END -> { }
        default -> {
          return -1; // loading or unloading
        }
      }
    }
    return available;
  }

  /** The SavedModel's own files (saved_model.pb, variables/, assets*), nothing else. */
  private static void copySavedModel(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path relative = from.relativize(file);
        String top = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
        if (!relative.toString().isEmpty() && !top.equals("saved_model.pb")
            && !top.equals("variables") && !top.startsWith("assets")) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
