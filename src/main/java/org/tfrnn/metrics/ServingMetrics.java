package org.tfrnn.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The metrics TensorFlow Serving exports, with its names, labels and bucket layouts (from
 * {@code tensorflow_serving/servables/tensorflow/util.cc} and
 * {@code batching/batching_session.cc}), one registry per server:
 *
 * <ul>
 *   <li>{@code :tensorflow:serving:request_count{model_name,status}}: every Predict call, REST
 *       and gRPC, by its canonical status code name ({@code OK}, {@code INVALID_ARGUMENT}, ...);
 *   <li>{@code :tensorflow:serving:request_latency{model_name,API,entrypoint}}: microseconds from
 *       the request's arrival to its answer, successful calls only ({@code entrypoint} is
 *       {@code REST} or {@code GRPC});
 *   <li>{@code :tensorflow:serving:runtime_latency{model_name,API,runtime}}: microseconds in
 *       TensorFlow's session run ({@code runtime} {@code TF1}, as TensorFlow Serving names a
 *       session), successful runs only, warm-up requests included;
 *   <li>{@code :tensorflow:serving:batching_session:queuing_latency{thread_pool_name}}:
 *       microseconds a batched task waited in its queue.
 * </ul>
 *
 * TensorFlow Serving writes its counter without the {@code _total} suffix that the Prometheus
 * client adds to every counter; {@link #writeText} keeps TensorFlow Serving's sample name (so its
 * dashboards and queries work unchanged) and declares the family {@code untyped}. All methods are
 * thread safe.
 */
public final class ServingMetrics {
  public static final String REQUEST_COUNT = ":tensorflow:serving:request_count";
  public static final String REQUEST_LATENCY = ":tensorflow:serving:request_latency";
  public static final String RUNTIME_LATENCY = ":tensorflow:serving:runtime_latency";
  public static final String BATCH_QUEUING_LATENCY =
      ":tensorflow:serving:batching_session:queuing_latency";
  /** The {@code runtime} label of a TensorFlow session run. */
  public static final String SESSION_RUNTIME = "TF1";
  /** The Prometheus text format's content type. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requestCount;
  private final Histogram requestLatency;
  private final Histogram runtimeLatency;
  private final Histogram batchQueuingLatency;

  public ServingMetrics() {
    requestCount = Counter.builder().name(REQUEST_COUNT)
        .help("The total number of requests.")
        .labelNames("model_name", "status")
        .register(registry);
    // Scale of 10, power of 1.8, 33 buckets (about 20 minutes), as TensorFlow Serving's.
    requestLatency = Histogram.builder().name(REQUEST_LATENCY)
        .help("Distribution of wall time (in microseconds) for Tensorflow Serving request.")
        .labelNames("model_name", "API", "entrypoint")
        .classicUpperBounds(exponentialBuckets(10, 1.8, 33))
        .register(registry);
    runtimeLatency = Histogram.builder().name(RUNTIME_LATENCY)
        .help("Distribution of wall time (in microseconds) for Tensorflow runtime.")
        .labelNames("model_name", "API", "runtime")
        .classicUpperBounds(exponentialBuckets(10, 1.8, 33))
        .register(registry);
    // Scale of 100, power of 1.2, 52 buckets (about 1 second).
    batchQueuingLatency = Histogram.builder().name(BATCH_QUEUING_LATENCY)
        .help("Distribution of wall time spent (in microseconds) in queuing")
        .labelNames("thread_pool_name")
        .classicUpperBounds(exponentialBuckets(100, 1.2, 52))
        .register(registry);
  }

  /**
   * TensorFlow's {@code Buckets::Exponential(scale, growth, count)}: {@code scale * growth^i}
   * for {@code i < count}, computed by repeated multiplication as TensorFlow does (the same
   * doubles); the {@code +Inf} bucket follows, as TensorFlow's {@code DBL_MAX} one is written.
   */
  static double[] exponentialBuckets(double scale, double growth, int count) {
    double[] bounds = new double[count];
    double bound = scale;
    for (int i = 0; i < count; i++) {
      bounds[i] = bound;
      bound *= growth;
    }
    return bounds;
  }

  /** One finished request: counted by status, and its latency kept if it succeeded. */
  public void requestDone(String modelName, String api, String entrypoint, String status,
      long startNanos) {
    if ("OK".equals(status)) {
      requestLatency.labelValues(modelName, api, entrypoint).observe(micros(startNanos));
    }
    requestCount.labelValues(modelName, status).inc();
  }

  /** One successful TensorFlow run of a request (or of a warm-up request). */
  public void runtimeDone(String modelName, String api, long startNanos) {
    runtimeLatency.labelValues(modelName, api, SESSION_RUNTIME).observe(micros(startNanos));
  }

  /** How long one batched task waited in its queue before its batch ran. */
  public void batchTaskQueued(String threadPoolName, long queuingMicros) {
    batchQueuingLatency.labelValues(threadPoolName).observe(queuingMicros);
  }

  /**
   * The canonical status code name of an HTTP answer: the inverse of TensorFlow Serving's
   * {@code ToHTTPStatusCode} (http_server.cc) for the statuses a REST answer can have; where
   * several codes share one HTTP status, the one a request error usually has.
   */
  public static String statusOfHttp(int httpStatus) {
    return switch (httpStatus) {
      case 200 -> "OK";
      case 400, 405 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 413, 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 501 -> "UNIMPLEMENTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      case 500 -> "INTERNAL";
      default -> "UNKNOWN";
    };
  }

  private static double micros(long startNanos) {
    return TimeUnit.NANOSECONDS.toMicros(Math.max(0, System.nanoTime() - startNanos));
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4). */
  public void writeText(OutputStream out) throws IOException {
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    for (MetricSnapshot snapshot : registry.scrape()) {
      snapshots.metricSnapshot(snapshot instanceof CounterSnapshot counter
          ? withoutTotalSuffix(counter) : snapshot);
    }
    PrometheusTextFormatWriter.create().write(out, snapshots.build());
  }

  /** The counter's points as an untyped family, whose samples carry the family's own name. */
  private static UnknownSnapshot withoutTotalSuffix(CounterSnapshot counter) {
    UnknownSnapshot.Builder untyped = UnknownSnapshot.builder()
        .name(counter.getMetadata().getName())
        .help(counter.getMetadata().getHelp());
    for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
      untyped.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
          .labels(point.getLabels()).value(point.getValue()).build());
    }
    return untyped.build();
  }
}
