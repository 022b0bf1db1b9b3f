package org.tfrnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tfrnn.serve.ModelServer;
import org.tfrnn.serve.ServerConfig;
import org.tfrnn.serve.ServerListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Serve the highest version under a model base path over TensorFlow",
        "Serving's REST API (status, metadata, :predict in rows or columns),",
        "switching to newer versions as they appear. SIGTERM or Ctrl-C stops",
        "it cleanly: requests in flight get their answers."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model-name", required = true,
      description = "the name in the URLs: /v1/models/NAME")
  String modelName;

  @Option(names = "--model-base-path", required = true,
      description = "directory of numbered SavedModel versions (1/, 2/, ...), as train exports")
  Path modelBasePath;

  @Option(names = "--port", defaultValue = "" + ServerConfig.DEFAULT_PORT,
      description = "TCP port, 0 for any free one. Default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
      description = "address to bind; 0.0.0.0 to accept other machines. Default: ${DEFAULT-VALUE}")
  String host;

  @Option(names = "--max-request-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
      description = "larger request bodies get HTTP 413. Default: ${DEFAULT-VALUE}")
  long maxRequestBytes;

  @Option(names = "--poll-seconds", defaultValue = "2",
      description = "how often to look for a new version. Default: ${DEFAULT-VALUE}")
  double pollSeconds;

  @Option(names = "--threads",
      description = "requests handled at once. Default: 2 per core, at least 4")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    ModelServer server = ModelServer.start(config(), new PrintingListener(System.err));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log(System.err, "stopping: finishing requests in flight");
      server.stop();
      log(System.err, "stopped");
    }, "serve-shutdown"));
    log(System.out, "serving model '" + modelName + "' version " + server.servedVersion()
        + " at " + server.modelUri() + " (POST " + server.modelUri() + ":predict)");
    server.awaitStop();
    return 0;
  }

  ServerConfig config() {
    if (!(pollSeconds > 0)) {
      throw new IllegalArgumentException("--poll-seconds must be positive, got " + pollSeconds);
    }
    ServerConfig config = ServerConfig.of(modelName, modelBasePath)
        .withHost(host)
        .withPort(port)
        .withMaxRequestBytes(maxRequestBytes)
        .withPollInterval(Duration.ofMillis(Math.max(1, Math.round(pollSeconds * 1000))));
    return threads == null ? config : config.withThreads(threads);
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
