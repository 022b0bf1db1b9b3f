package org.tfrnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tfrnn.batching.BatchingOptions;
import org.tfrnn.metrics.MonitoringConfigFile;
import org.tfrnn.serve.GrpcServer;
import org.tfrnn.serve.ModelServer;
import org.tfrnn.serve.ServedModelConfig;
import org.tfrnn.serve.ServerConfig;
import org.tfrnn.serve.ServerListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code ./tfrnn serve}: TensorFlow Serving's command line ({@code tensorflow_model_server}'s
 * flags in {@code --flag=value} form, with their meanings), so a script written for it runs
 * unchanged. The earlier kebab-case names stay as aliases.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Serve SavedModels the way tensorflow_model_server does: its gRPC API on --port",
        "and its REST API on --rest_api_port, one model (--model_name, --model_base_path)",
        "or several (--model_config_file), switching to new versions as they appear.",
        "SIGTERM or Ctrl-C stops it cleanly: requests in flight get their answers."})
final class ServeCommand implements Callable<Integer> {
  /** TensorFlow Serving's gRPC port. */
  static final int DEFAULT_GRPC_PORT = 8500;
  /** A poll interval that never comes: TensorFlow Serving's "0 or less: do not poll". */
  private static final Duration NEVER = Duration.ofDays(365L * 100);
  /** The most request threads per API that batching asks for without --threads. */
  static final int MAX_BATCHING_THREADS = 256;

  @Option(names = {"--model_name", "--model-name"}, defaultValue = "default",
      description = "the name in the URLs (/v1/models/NAME) and in gRPC's model_spec. "
          + "Default: ${DEFAULT-VALUE}")
  String modelName;

  @Option(names = {"--model_base_path", "--model-base-path"},
      description = "directory of numbered SavedModel versions (1/, 2/, ...), as train exports")
  Path modelBasePath;

  @Option(names = "--model_config_file",
      description = "TensorFlow Serving's model config (text protobuf, model_config_list): "
          + "several models with version policies and labels; replaces --model_name/"
          + "--model_base_path")
  Path modelConfigFile;

  @Option(names = "--model_config_file_poll_wait_seconds", defaultValue = "0",
      description = "re-read --model_config_file this often; 0: never. Default: ${DEFAULT-VALUE}")
  double configPollSeconds;

  @Option(names = "--port", defaultValue = "" + DEFAULT_GRPC_PORT,
      description = "gRPC port, 0 for any free one. Default: ${DEFAULT-VALUE}")
  int grpcPort;

  @Option(names = "--rest_api_port", defaultValue = "" + ServerConfig.DEFAULT_PORT,
      description = "REST port, 0 for any free one. Default: ${DEFAULT-VALUE}")
  int restPort;

  @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
      description = "address to bind; 0.0.0.0 to accept other machines. Default: ${DEFAULT-VALUE}")
  String host;

  @Option(names = {"--file_system_poll_wait_seconds", "--poll-seconds"}, defaultValue = "2",
      description = "how often to look for new versions; 0 or less: never. "
          + "Default: ${DEFAULT-VALUE}")
  double pollSeconds;

  @Option(names = "--rest_api_timeout_in_ms", defaultValue = "30000",
      description = "a REST request's TensorFlow run is cancelled after this long and answered "
          + "504 (DEADLINE_EXCEEDED); 0 or less: no limit. gRPC calls use the client's "
          + "deadline instead. Default: ${DEFAULT-VALUE}")
  long restTimeoutMillis;

  @Option(names = "--enable_batching", arity = "0..1", fallbackValue = "true",
      defaultValue = "false", description = "merge concurrent predict requests to the same "
          + "signature into batches, as TensorFlow Serving does. Without "
          + "--batching_parameters_file: max_batch_size 1000, batch_timeout_micros 0, "
          + "max_enqueued_batches 10, num_batch_threads one per core. Default: ${DEFAULT-VALUE}")
  boolean enableBatching;

  @Option(names = "--batching_parameters_file",
      description = "TensorFlow Serving's BatchingParameters (text protobuf), e.g. "
          + "'max_batch_size { value: 32 } batch_timeout_micros { value: 1000 }'; "
          + "needs --enable_batching. enable_large_batch_splitting is refused (README, "
          + "Request batching)")
  Path batchingParametersFile;

  @Option(names = "--monitoring_config_file",
      description = "text protobuf prometheus_config { enable: true, path: \"...\" }: serve "
          + "TensorFlow Serving's Prometheus metrics at that path on the REST port (default "
          + "path " + MonitoringConfigFile.DEFAULT_PROMETHEUS_PATH + ")")
  Path monitoringConfigFile;

  @Option(names = {"--max_request_bytes", "--max-request-bytes"},
      defaultValue = "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
      description = "larger REST bodies get HTTP 413, larger gRPC messages RESOURCE_EXHAUSTED. "
          + "Default: ${DEFAULT-VALUE}")
  long maxRequestBytes;

  @Option(names = "--threads",
      description = "requests handled at once per API. Default: 2 per core, at least 4; "
          + "with --enable_batching 2 x max_batch_size, at most " + MAX_BATCHING_THREADS)
  Integer threads;

  @Override
  public Integer call() throws Exception {
    refuseUnsupported();
    List<ServedModelConfig> models = models();
    ServedModelConfig first = models.get(0);
    ServerConfig config = config(first);
    ModelServer server = ModelServer.start(config, models, new PrintingListener(System.err));
    GrpcServer grpc;
    try {
      grpc = GrpcServer.start(server, grpcPort);
    } catch (IOException | RuntimeException e) {
      server.stop();
      throw e;
    }
    ScheduledExecutorService configPoller = pollConfigFile(server);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log(System.err, "stopping: finishing requests in flight");
      if (configPoller != null) {
        configPoller.shutdownNow();
      }
      grpc.stop();
      server.stop();
      log(System.err, "stopped");
    }, "serve-shutdown"));
    exitZeroOnSigterm();
    if (config.batching() != null) {
      log(System.err, "batching predict requests: " + config.batching());
    }
    log(System.out, "serving models " + server.modelNames() + " (gRPC at " + host + ":"
        + grpc.port() + ") at " + server.modelUri() + " (POST " + server.modelUri()
        + ":predict)");
    if (config.prometheusPath() != null) {
      log(System.out, "Prometheus metrics at GET " + server.modelUri().resolve(
          config.prometheusPath()));
    }
    server.awaitStop();
    return 0;
  }

  /**
   * tensorflow_model_server dies of SIGTERM, which systemd and other supervisors count as a clean
   * stop; a JVM ends with 143 (128 + 15) after its shutdown hooks, which they count as a failure
   * (systemd would need {@code SuccessExitStatus=143} in a unit written for TensorFlow Serving).
   * So SIGTERM runs the same hooks (requests in flight get their answers) and exits 0. The JDK
   * has no public API for this; {@code sun.misc.Signal} (module jdk.unsupported) is the one.
   */
  private static void exitZeroOnSigterm() {
    Signal.handle(new Signal("TERM"), signal -> System.exit(0));
  }

  void refuseUnsupported() {
    if (batchingParametersFile != null && !enableBatching) {
      throw new IllegalArgumentException("--batching_parameters_file is set without "
          + "--enable_batching (TensorFlow Serving refuses this too)");
    }
  }

  /** The models to serve: the config file's, or the one of --model_name/--model_base_path. */
  List<ServedModelConfig> models() throws IOException {
    if (modelConfigFile != null) {
      if (modelBasePath != null) {
        throw new IllegalArgumentException("give either --model_config_file or "
            + "--model_base_path, not both");
      }
      List<ServedModelConfig> models = ServedModelConfig.read(modelConfigFile);
      if (models.isEmpty()) {
        throw new IllegalArgumentException("the model config file " + modelConfigFile
            + " lists no model");
      }
      return models;
    }
    if (modelBasePath == null) {
      throw new IllegalArgumentException("give --model_base_path (with --model_name) or "
          + "--model_config_file");
    }
    return List.of(ServedModelConfig.latest(modelName, modelBasePath));
  }

  ServerConfig config(ServedModelConfig first) throws IOException {
    BatchingOptions batching = batching();
    ServerConfig config = ServerConfig.builder(first.name(), first.basePath())
        .batching(batching)
        .host(host)
        .port(restPort)
        .maxRequestBytes(maxRequestBytes)
        .pollInterval(interval(pollSeconds))
        // TensorFlow Serving's meaning: 0 or less sets no timeout.
        .restTimeout(Duration.ofMillis(Math.max(0, restTimeoutMillis)))
        .prometheusPath(monitoringConfigFile == null ? null
            : MonitoringConfigFile.prometheusPath(monitoringConfigFile).orElse(null))
        .build();
    if (threads != null) {
      return config.withThreads(threads);
    }
    if (batching != null) {
      // Requests wait for their batch on a request thread: TensorFlow Serving's advice is
      // 2 x max_batch_size client threads (capped here; threads start only when needed).
      return config.withThreads((int) Math.max(config.threads(),
          Math.min(2 * batching.maxBatchSize(), MAX_BATCHING_THREADS)));
    }
    return config;
  }

  /** The batching options of --enable_batching and --batching_parameters_file, or null. */
  BatchingOptions batching() throws IOException {
    if (!enableBatching) {
      return null;
    }
    return batchingParametersFile == null ? BatchingOptions.defaults()
        : BatchingOptions.read(batchingParametersFile);
  }

  private static Duration interval(double seconds) {
    return seconds > 0 ? Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))) : NEVER;
  }

  /** Re-reads the config file on its interval and applies it when it changed. */
  private ScheduledExecutorService pollConfigFile(ModelServer server) {
    if (modelConfigFile == null || !(configPollSeconds > 0)) {
      return null;
    }
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "serve-config-poll");
      thread.setDaemon(true);
      return thread;
    });
    long millis = interval(configPollSeconds).toMillis();
    poller.scheduleWithFixedDelay(new Runnable() {
      private String lastProblem;
      private List<ServedModelConfig> applied;

      @Override
      public void run() {
        try {
          List<ServedModelConfig> models = ServedModelConfig.read(modelConfigFile);
          if (!models.equals(applied)) {
            server.reloadModels(models);
            if (applied != null) {
              log(System.err, "applied the model config file " + modelConfigFile + ": serving "
                  + server.modelNames());
            }
            applied = models;
          }
          lastProblem = null;
        } catch (IOException | RuntimeException e) {
          if (!String.valueOf(e.getMessage()).equals(lastProblem)) {
            lastProblem = String.valueOf(e.getMessage());
            log(System.err, "cannot apply the model config file " + modelConfigFile
                + ", still serving " + server.modelNames() + ": " + e.getMessage());
          }
        }
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
    return poller;
  }

  private static void log(PrintStream out, String message) {
    out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
  }

  /** Prints the server's events, one line each. */
  private static final class PrintingListener implements ServerListener {
    private final PrintStream out;

    PrintingListener(PrintStream out) {
      this.out = out;
    }

    @Override
    public void versionLoaded(String model, long version, Path directory, Duration loadTime) {
      log(out, String.format(Locale.ROOT, "loaded model '%s' version %d from %s in %.1f s",
          model, version, directory, loadTime.toMillis() / 1000.0));
    }

    @Override
    public void versionWarmedUp(String model, long version, Path file, int records, int skipped,
        Duration time) {
      log(out, String.format(Locale.ROOT, "warmed up model '%s' version %d with %d records of "
          + "%s in %.1f s%s", model, version, records, file, time.toMillis() / 1000.0,
          skipped == 0 ? "" : " (" + skipped + " classify/regress/multi_inference records "
              + "skipped: this server answers Predict only)"));
    }

    @Override
    public void versionUnloaded(String model, long version) {
      log(out, "unloaded model '" + model + "' version " + version);
    }

    @Override
    public void versionFailed(String model, long version, Path directory, Exception cause) {
      log(out, "cannot load model '" + model + "' version " + version + " from " + directory
          + ", still serving the previous version: " + cause.getMessage());
    }

    @Override
    public void pollFailed(String model, Path basePath, Exception cause) {
      log(out, "looking for new versions of model '" + model + "' in " + basePath + ": "
          + cause.getMessage());
    }

    @Override
    public void requestFailed(String method, String path, Throwable cause) {
      log(out, "internal error on " + method + " " + path + ": " + cause);
      if (Boolean.getBoolean("tfrnn.debug")) {
        cause.printStackTrace(out);
      }
    }
  }
}
