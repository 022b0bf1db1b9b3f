package org.tfrnn.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.tfrnn.batching.BatchingOptions;

/**
 * How a {@link ModelServer} runs. Start from {@link #builder} (TensorFlow Serving's defaults where
 * it has them) and set what differs: {@code ServerConfig.builder("best", Path.of("runs/best"))
 * .port(0).build()}; {@link #of} is all defaults, and each {@code withX} changes one setting.
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
 * @param restTimeout a REST request's TensorFlow run is cancelled after this long and answered
 *     504 (TensorFlow Serving's {@code --rest_api_timeout_in_ms}); zero: no limit
 * @param prometheusPath the REST path of the Prometheus metrics, or null for none
 *     (TensorFlow Serving's {@code --monitoring_config_file})
 * @param batching how predict requests are batched ({@code --enable_batching}), or null: not
 */
public record ServerConfig(String modelName, Path modelBasePath, String host, int port,
    long maxRequestBytes, Duration pollInterval, int threads, Duration shutdownGrace,
    Duration restTimeout, String prometheusPath, BatchingOptions batching) {

  public static final int DEFAULT_PORT = 8501; // TensorFlow Serving's REST port
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
  public static final long MAX_REQUEST_BYTES_LIMIT = Integer.MAX_VALUE - 8;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  /** TensorFlow Serving's {@code --rest_api_timeout_in_ms} default. */
  public static final Duration DEFAULT_REST_TIMEOUT = Duration.ofMillis(30_000);

  public ServerConfig {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(modelBasePath, "modelBasePath");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(restTimeout, "restTimeout");
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
    if (restTimeout.isNegative()) {
      throw new IllegalArgumentException("REST timeout must not be negative, got " + restTimeout);
    }
    if (prometheusPath != null && !prometheusPath.startsWith("/")) {
      throw new IllegalArgumentException("the Prometheus path must start with '/', got "
          + prometheusPath);
    }
  }

  /** A configuration without batching or metrics, with the default REST timeout. */
  public ServerConfig(String modelName, Path modelBasePath, String host, int port,
      long maxRequestBytes, Duration pollInterval, int threads, Duration shutdownGrace) {
    this(modelName, modelBasePath, host, port, maxRequestBytes, pollInterval, threads,
        shutdownGrace, DEFAULT_REST_TIMEOUT, null, null);
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
    return builder(modelName, modelBasePath).build();
  }

  /** A builder holding the defaults; set what differs, then {@link Builder#build}. */
  public static Builder builder(String modelName, Path modelBasePath) {
    return new Builder(modelName, modelBasePath);
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    return builder(modelName, modelBasePath).host(host).port(port)
        .maxRequestBytes(maxRequestBytes).pollInterval(pollInterval).threads(threads)
        .shutdownGrace(shutdownGrace).restTimeout(restTimeout).prometheusPath(prometheusPath)
        .batching(batching);
  }

  /** Two request threads per core, at least 4: TensorFlow runs each request on its own pool. */
  public static int defaultThreads() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  public ServerConfig withHost(String newHost) {
    return toBuilder().host(newHost).build();
  }

  public ServerConfig withPort(int newPort) {
    return toBuilder().port(newPort).build();
  }

  public ServerConfig withMaxRequestBytes(long newMaxRequestBytes) {
    return toBuilder().maxRequestBytes(newMaxRequestBytes).build();
  }

  public ServerConfig withPollInterval(Duration newPollInterval) {
    return toBuilder().pollInterval(newPollInterval).build();
  }

  public ServerConfig withThreads(int newThreads) {
    return toBuilder().threads(newThreads).build();
  }

  public ServerConfig withShutdownGrace(Duration newShutdownGrace) {
    return toBuilder().shutdownGrace(newShutdownGrace).build();
  }

  public ServerConfig withBatching(BatchingOptions newBatching) {
    return toBuilder().batching(newBatching).build();
  }

  /** Named settings for a {@link ServerConfig}; {@link #build} checks them all. */
  public static final class Builder {
    private final String modelName;
    private final Path modelBasePath;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int threads = defaultThreads();
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Duration restTimeout = DEFAULT_REST_TIMEOUT;
    private String prometheusPath;
    private BatchingOptions batching;

    private Builder(String modelName, Path modelBasePath) {
      this.modelName = modelName;
      this.modelBasePath = modelBasePath;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder maxRequestBytes(long maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder restTimeout(Duration restTimeout) {
      this.restTimeout = restTimeout;
      return this;
    }

    public Builder prometheusPath(String prometheusPath) {
      this.prometheusPath = prometheusPath;
      return this;
    }

    /** Batch predict requests this way; null (the default): do not batch. */
    public Builder batching(BatchingOptions batching) {
      this.batching = batching;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(modelName, modelBasePath, host, port, maxRequestBytes,
          pollInterval, threads, shutdownGrace, restTimeout, prometheusPath, batching);
    }
  }
}
