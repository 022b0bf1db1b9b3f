package org.tfrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metrics carry TensorFlow Serving's names, labels and bucket layouts (util.cc,
 * batching_session.cc), and the scrape is strict Prometheus text.
 */
class ServingMetricsTest {

  @Test
  void bucketsAreTensorFlowsExponentialLayout() {
    double[] latency = ServingMetrics.exponentialBuckets(10, 1.8, 33);
    assertEquals(33, latency.length);
    assertArrayEquals(new double[] {10, 18, 32.4, 58.32}, java.util.Arrays.copyOf(latency, 4),
        1e-12);
    for (int i = 0; i < latency.length; i++) {
      assertEquals(10 * Math.pow(1.8, i), latency[i], 1e-12 * latency[i], "bucket " + i);
    }
    double[] queuing = ServingMetrics.exponentialBuckets(100, 1.2, 52);
    assertEquals(52, queuing.length);
    assertEquals(100 * Math.pow(1.2, 51), queuing[51], 1e-9);
  }

  @Test
  void scrapeHasTensorFlowServingsNamesAndCounts() throws IOException {
    ServingMetrics metrics = new ServingMetrics();
    long now = System.nanoTime();
    metrics.requestDone("mnist", "Predict", "GRPC", "OK", now);
    metrics.requestDone("mnist", "Predict", "GRPC", "OK", now);
    metrics.requestDone("mnist", "predict", "REST", "INVALID_ARGUMENT", now);
    metrics.runtimeDone("mnist", "Predict", now);
    metrics.batchTaskQueued("model_server_batch_threads", 150);

    String text = scrape(metrics);
    Map<String, PrometheusText.Family> families = PrometheusText.parse(text);
    assertEquals(List.of(ServingMetrics.REQUEST_COUNT, ServingMetrics.REQUEST_LATENCY,
        ServingMetrics.RUNTIME_LATENCY, ServingMetrics.BATCH_QUEUING_LATENCY).stream().sorted()
        .toList(), families.keySet().stream().sorted().toList());
    // TensorFlow Serving's sample name, no _total; declared untyped (see ServingMetrics).
    assertTrue(text.contains("\n:tensorflow:serving:request_count{model_name=\"mnist\","
        + "status=\"OK\"} 2.0\n"), text);
    assertEquals("untyped", families.get(ServingMetrics.REQUEST_COUNT).type());
    assertEquals(1, PrometheusText.value(families, ServingMetrics.REQUEST_COUNT,
        ServingMetrics.REQUEST_COUNT, Map.of("model_name", "mnist",
            "status", "INVALID_ARGUMENT")));

    // Latency of successful requests only.
    PrometheusText.Family latency = families.get(ServingMetrics.REQUEST_LATENCY);
    assertEquals("histogram", latency.type());
    Map<String, String> grpc = Map.of("model_name", "mnist", "API", "Predict",
        "entrypoint", "GRPC");
    assertEquals(2, PrometheusText.value(families, ServingMetrics.REQUEST_LATENCY,
        ServingMetrics.REQUEST_LATENCY + "_count", grpc));
    assertEquals(0, PrometheusText.value(families, ServingMetrics.REQUEST_LATENCY,
        ServingMetrics.REQUEST_LATENCY + "_count", Map.of("model_name", "mnist",
            "API", "predict", "entrypoint", "REST")));
    assertEquals(33 + 1, latency.samples().stream()
        .filter(s -> s.name().endsWith("_bucket")).count(), "33 bounds and +Inf");

    assertEquals(1, PrometheusText.value(families, ServingMetrics.RUNTIME_LATENCY,
        ServingMetrics.RUNTIME_LATENCY + "_count", Map.of("model_name", "mnist",
            "API", "Predict", "runtime", "TF1")));

    // 150 us: above 100, 120 and 144, within 172.8.
    Map<String, String> pool = Map.of("thread_pool_name", "model_server_batch_threads");
    String bucket = ServingMetrics.BATCH_QUEUING_LATENCY + "_bucket";
    assertEquals(0, bucketCount(families, bucket, pool, 144));
    assertEquals(1, bucketCount(families, bucket, pool, 172.8));
  }

  private static double bucketCount(Map<String, PrometheusText.Family> families, String bucket,
      Map<String, String> labels, double le) {
    return families.get(ServingMetrics.BATCH_QUEUING_LATENCY).samples().stream()
        .filter(s -> s.name().equals(bucket) && s.labels().get("le") != null
            && Math.abs(Double.parseDouble(s.labels().get("le")) - le) < 1e-9
            && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(PrometheusText.Sample::value).findFirst()
        .orElseThrow(() -> new AssertionError("no bucket le=" + le));
  }

  @Test
  void httpStatusesMapBackToTensorFlowServingsCodes() {
    assertEquals("OK", ServingMetrics.statusOfHttp(200));
    assertEquals("INVALID_ARGUMENT", ServingMetrics.statusOfHttp(400));
    assertEquals("NOT_FOUND", ServingMetrics.statusOfHttp(404));
    assertEquals("DEADLINE_EXCEEDED", ServingMetrics.statusOfHttp(504));
    assertEquals("UNAVAILABLE", ServingMetrics.statusOfHttp(503));
    assertEquals("INTERNAL", ServingMetrics.statusOfHttp(500));
  }

  static String scrape(ServingMetrics metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeText(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
