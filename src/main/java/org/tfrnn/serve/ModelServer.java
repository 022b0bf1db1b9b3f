package org.tfrnn.serve;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tfrnn.batching.BatchListener;
import org.tfrnn.batching.BatchRun;
import org.tfrnn.inference.VersionStatus;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.metrics.ServingMetrics;

/**
 * Serves a SavedModel over TensorFlow Serving's REST API (the JDK's HTTP server, no other
 * dependency): status, metadata and {@code :predict} in the row and the columnar format, for the
 * highest numbered version under a base path, switching to a newer version when one appears
 * without failing a request in flight.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(ServerConfig.of("best", Path.of("runs/best")))) {
 *   // POST http://127.0.0.1:8501/v1/models/best:predict  {"instances": [...]}
 * }
 * }</pre>
 *
 * {@link #stop()} (also {@link #close()}) refuses new requests, lets those in flight finish, then
 * frees the model; the command line calls it from a shutdown hook, so SIGTERM is a clean stop.
 */
public final class ModelServer implements AutoCloseable {
  private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
  private final ServerConfig config;
  private final ServedModels models;
  private final ServerListener listener;
  private final ServingMetrics metrics;
  private final HttpServer http;
  private final ExecutorService requestThreads;
  private final ScheduledExecutorService poller;
  private final InFlightRequests inFlight = new InFlightRequests();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object stopping = new Object();
  private boolean stopCalled;

  private ModelServer(ServerConfig config, ServedModels models, HttpServer http,
      ExecutorService requestThreads, ScheduledExecutorService poller, ServerListener listener,
      ServingMetrics metrics) {
    this.config = config;
    this.models = models;
    this.listener = listener;
    this.metrics = metrics;
    this.http = http;
    this.requestThreads = requestThreads;
    this.poller = poller;
  }

  /** {@link #start(ServerConfig, ServerListener)} reporting nothing. */
  public static ModelServer start(ServerConfig config) throws IOException {
    return start(config, ServerListener.NONE);
  }

  /**
   * Loads the highest version under the base path, binds the address and starts answering.
   *
   * @throws IOException if there is no version to serve, it cannot be loaded, or the address
   *     cannot be bound (nothing is left running then)
   */
  public static ModelServer start(ServerConfig config, ServerListener listener)
      throws IOException {
    return start(config, List.of(ServedModelConfig.latest(config.modelName(),
        config.modelBasePath())), listener);
  }

  /**
   * Serves several models (a model config file's), each with its version policy and labels.
   * The config's own model name and base path then only name the model that
   * {@link #servedVersion()}, {@link #modelUri()} and the other single-model methods describe:
   * give those of the first model.
   *
   * @throws IOException if a model has no version to serve or cannot be loaded, or the address
   *     cannot be bound (nothing is left running then)
   */
  public static ModelServer start(ServerConfig config, List<ServedModelConfig> modelConfigs,
      ServerListener listener) throws IOException {
    disableNagle();
    ServingMetrics metrics = new ServingMetrics();
    ServedModels models = ServedModels.open(modelConfigs, listener,
        new SavedModelWarmup(metrics, listener), config.batching(), new BatchListener() {
          @Override
          public void batchRun(BatchRun run) {
            // TensorFlow Serving's queuing latency: each request's wait for its batch.
            run.queueTimes().forEach(wait -> metrics.batchTaskQueued(run.threadPoolName(),
                wait.toNanos() / 1000));
            listener.batchRun(run);
          }
        });
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    } catch (IOException | RuntimeException e) {
      models.close();
      throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
    ExecutorService requestThreads = Executors.newFixedThreadPool(config.threads(),
        daemonThreads("serve-" + config.modelName() + "-request-"));
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
        daemonThreads("serve-poll-"));
    ModelServer server = new ModelServer(config, models, http, requestThreads, poller,
        listener, metrics);
    try {
      http.createContext("/", new RestApiHandler(models, config.maxRequestBytes(),
          server.inFlight, listener, metrics, config.restTimeout()));
      if (config.prometheusPath() != null) {
        http.createContext(config.prometheusPath(),
            new PrometheusHandler(config.prometheusPath(), metrics));
      }
      http.setExecutor(requestThreads);
      http.start();
      long pollMillis = config.pollInterval().toMillis();
      // refresh() reports and swallows each model's failures: a scheduled task that throws would
      // not run again.
      poller.scheduleWithFixedDelay(models::refresh, pollMillis, pollMillis,
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException | Error e) {
      // Nothing is left running: the port, both executors and the models are released.
      server.stop();
      throw e;
    }
    return server;
  }

  /** The port bound (the ephemeral one chosen if the configuration said 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://HOST:PORT/v1/models/NAME}: the model's status URL, the root of the others. */
  public URI modelUri() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return URI.create("http://" + host + ":" + port() + "/v1/models/" + config.modelName());
  }

  public ServerConfig config() {
    return config;
  }

  /** The version answering requests without a version in their URL. */
  public long servedVersion() {
    return defaultModel().servedVersion();
  }

  /** What the status API reports: the served versions, then replaced and failed ones. */
  public List<VersionStatus> versionStatuses() {
    return defaultModel().statuses();
  }

  /** What the status API reports for the model of that name (empty if it is not served). */
  public List<VersionStatus> versionStatuses(String modelName) {
    VersionedModel model = models.get(modelName);
    return model == null ? List.of() : model.statuses();
  }

  /** The names of the models served now. */
  public List<String> modelNames() {
    return models.all().stream().map(VersionedModel::name).sorted().toList();
  }

  /**
   * Looks for new versions now rather than at the next poll, and serves them if they load.
   *
   * @return whether the versions served of the config's model changed
   */
  public boolean checkForNewVersion() {
    return defaultModel().refresh();
  }

  /**
   * Serves exactly the models of a new model config (a reloaded config file's): loads new ones
   * first, applies changed policies and labels, unloads removed models after their last request.
   *
   * @throws IOException if a new model cannot be loaded (the models served stay as they were)
   * @throws IllegalStateException if a label names a version that is not available
   */
  public void reloadModels(List<ServedModelConfig> modelConfigs) throws IOException {
    if (modelConfigs.isEmpty()) {
      throw new IllegalArgumentException("a model config must list at least one model");
    }
    models.apply(modelConfigs);
  }

  private VersionedModel defaultModel() {
    VersionedModel model = models.get(config.modelName());
    if (model == null) {
      throw new IllegalStateException("model '" + config.modelName() + "' is not served");
    }
    return model;
  }

  /** Requests being handled right now. */
  public int requestsInFlight() {
    return inFlight.active();
  }

  /**
   * Stops the server: new requests get 503 (then connection refused once the port is closed),
   * requests in flight finish and get their answers (waiting up to the configured grace), then
   * the port is closed and the model freed. Idempotent; a second caller waits for the first.
   */
  public void stop() {
    boolean first;
    synchronized (stopping) {
      first = !stopCalled;
      stopCalled = true;
    }
    if (!first) {
      awaitStop();
      return;
    }
    boolean interrupted = false;
    try {
      poller.shutdownNow();
      try {
        inFlight.closeAndAwait(config.shutdownGrace());
      } catch (InterruptedException e) {
        interrupted = true;
      }
      // Requests still in flight now are 503 answers or past the grace. (HttpServer.stop(n) on
      // JDK 17 always waits n seconds when nothing is in flight, hence our own wait above.)
      http.stop(inFlight.active() > 0 ? 1 : 0);
      requestThreads.shutdown();
      try {
        if (!poller.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)
            || !requestThreads.awaitTermination(config.shutdownGrace().toMillis(),
                TimeUnit.MILLISECONDS)) {
          requestThreads.shutdownNow();
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      models.close();
    } finally {
      stopped.countDown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Blocks until {@link #stop()} has finished (e.g. the main thread of a command line). */
  public void awaitStop() {
    boolean interrupted = false;
    while (true) {
      try {
        stopped.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * TensorFlow Serving's metrics of this server (REST and gRPC requests, TensorFlow runs,
   * warm-up), recorded whether or not {@link ServerConfig#prometheusPath()} serves them.
   */
  public ServingMetrics metrics() {
    return metrics;
  }

  /** The served models, for the other front ends (gRPC). */
  ServedModels models() {
    return models;
  }

  ServerListener listener() {
    return listener;
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * Turns on TCP_NODELAY for the JDK's HTTP server (its own switch, read when its first server
   * starts). Without it, a response's headers and body leave in two segments and the second waits
   * for the client's delayed ACK: about 40 ms added to every answer on Linux.
   */
  private static void disableNagle() {
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
