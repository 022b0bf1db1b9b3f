package org.tfrnn.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ModelServer} runs. Start from {@link #of} (TensorFlow Serving's defaults where it
 * has them) and change what differs: {@code ServerConfig.of("best", Path.of("runs/best"))
 * .withPort(0)}.
 *
 * @param modelName the name in the URLs ({@code /v1/models/NAME})
 * @param modelBasePath a directory of numbered SavedModel versions ({@code 1/}, {@code 2/}, ...)
 * @param host the address to bind; the loopback address unless the server is meant to be reached
 *     from other machines
 * @param port the TCP port, 0 for any free one (see {@link ModelServer#port()})
 * @param maxRequestBytes larger request bodies are refused with 413 before they are read
 * @param pollInterval how often the base path is checked for a new version
 * @param threads how many requests are handled at once (others wait in the accept queue)
 * @param shutdownGrace how long {@link ModelServer#stop()} waits for requests in flight
 */
public record ServerConfig(String modelName, Path modelBasePath, String host, int port,
    long maxRequestBytes, Duration pollInterval, int threads, Duration shutdownGrace) {

  public static final int DEFAULT_PORT = 8501; // TensorFlow Serving's REST port
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
  public static final long MAX_REQUEST_BYTES_LIMIT = Integer.MAX_VALUE - 8;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  public ServerConfig {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(modelBasePath, "modelBasePath");
    Objects.requireNonNull(host, "host");
    checkModelName(modelName);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (maxRequestBytes <= 0 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
      throw new IllegalArgumentException("max request bytes must be 1.." + MAX_REQUEST_BYTES_LIMIT
          + " (a body is read into one array), got " + maxRequestBytes);
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdown grace must not be negative, got "
          + shutdownGrace);
    }
  }

  static void checkModelName(String modelName) {
    Objects.requireNonNull(modelName, "modelName");
    if (modelName.isEmpty() || !modelName.matches("[^/:?#%\\s]+")) {
      throw new IllegalArgumentException("model name '" + modelName + "' must be non-empty, "
          + "without '/', ':', '?', '#', '%' or spaces (it goes into URLs)");
    }
  }

  /** Serves {@code modelBasePath} as {@code modelName} on 127.0.0.1:8501 with the defaults. */
  public static ServerConfig of(String modelName, Path modelBasePath) {
    return new ServerConfig(modelName, modelBasePath, DEFAULT_HOST, DEFAULT_PORT,
        DEFAULT_MAX_REQUEST_BYTES, DEFAULT_POLL_INTERVAL, defaultThreads(),
        DEFAULT_SHUTDOWN_GRACE);
  }

  /** Two request threads per core, at least 4: TensorFlow runs each request on its own pool. */
  public static int defaultThreads() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(modelName, modelBasePath, newHost, port, maxRequestBytes,
        pollInterval, threads, shutdownGrace);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(modelName, modelBasePath, host, newPort, maxRequestBytes,
        pollInterval, threads, shutdownGrace);
  }

  public ServerConfig withMaxRequestBytes(long newMaxRequestBytes) {
    return new ServerConfig(modelName, modelBasePath, host, port, newMaxRequestBytes,
        pollInterval, threads, shutdownGrace);
  }

  public ServerConfig withPollInterval(Duration newPollInterval) {
    return new ServerConfig(modelName, modelBasePath, host, port, maxRequestBytes,
        newPollInterval, threads, shutdownGrace);
  }

  public ServerConfig withThreads(int newThreads) {
    return new ServerConfig(modelName, modelBasePath, host, port, maxRequestBytes,
        pollInterval, newThreads, shutdownGrace);
  }

  public ServerConfig withShutdownGrace(Duration newShutdownGrace) {
    return new ServerConfig(modelName, modelBasePath, host, port, maxRequestBytes,
        pollInterval, threads, newShutdownGrace);
  }
}
