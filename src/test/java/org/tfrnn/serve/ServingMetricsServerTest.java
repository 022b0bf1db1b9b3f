package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.metrics.PrometheusText;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * The Prometheus endpoint of a running server: REST and gRPC requests, successful and failed,
 * move TensorFlow Serving's counters and histograms; a REST request over
 * {@code --rest_api_timeout_in_ms} is cancelled with 504; a gRPC output of a dtype the server
 * cannot return is UNIMPLEMENTED, not INTERNAL.
 */
class ServingMetricsServerTest {
  private static final String METRICS = "/monitoring/prometheus/metrics";

  @TempDir
  Path temp;

  @Test
  void countersMoveWithRestAndGrpcRequests() throws IOException {
    Path base = temp.resolve("half");
    HalfPlusTwoModel.export(base);
    try (ModelServer server = ModelServer.start(ServerConfig.builder("half", base).port(0)
            .prometheusPath(METRICS).build());
        GrpcServer grpc = GrpcServer.start(server, 0)) {
      RestClient rest = new RestClient(server);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port())
          .usePlaintext().build();
      try {
        var predictions = PredictionServiceGrpc.newBlockingStub(channel);
        assertEquals(200, rest.post("/v1/models/half:predict", "{\"instances\": [1.0, 2.0]}")
            .status());
        assertEquals(200, rest.post("/v1/models/half:predict", "{\"instances\": [4.0]}")
            .status());
        assertEquals(400, rest.post("/v1/models/half:predict",
            "{\"signature_name\": \"nope\", \"instances\": [1.0]}").status());
        assertEquals(404, rest.get("/v1/models/nope").status());

        PredictResponse answer = predictions.predict(request("serving_default", "x"));
        // y = 0.5 x + 2
        assertArrayEquals(new float[] {2.5f, 3f, 3.5f}, TensorProtoValues.toNdValue("y",
            answer.getOutputsOrThrow("y")).floats());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
            () -> predictions.predict(request("serving_default", "z"))).getStatus().getCode());
        // float16 output: refused before TensorFlow runs, cleanly; the server keeps serving.
        StatusRuntimeException half = assertThrows(StatusRuntimeException.class,
            () -> predictions.predict(request("half", "x")));
        assertEquals(Status.Code.UNIMPLEMENTED, half.getStatus().getCode(), half.toString());
        assertTrue(half.getStatus().getDescription().contains("DT_HALF"), half.toString());
        predictions.predict(request("serving_default", "x"));
      } finally {
        channel.shutdownNow();
      }

      RestClient.Reply scrape = rest.get(METRICS);
      assertEquals(200, scrape.status());
      assertEquals(ServingMetrics.CONTENT_TYPE,
          scrape.headers().firstValue("Content-Type").orElseThrow());
      Map<String, PrometheusText.Family> families = PrometheusText.parse(scrape.body());
      String count = ServingMetrics.REQUEST_COUNT;
      assertEquals(4, PrometheusText.value(families, count, count,
          Map.of("model_name", "half", "status", "OK")), scrape.body());
      assertEquals(2, PrometheusText.value(families, count, count,
          Map.of("model_name", "half", "status", "INVALID_ARGUMENT")));
      assertEquals(1, PrometheusText.value(families, count, count,
          Map.of("model_name", "half", "status", "UNIMPLEMENTED")));
      assertEquals(1, PrometheusText.value(families, count, count,
          Map.of("model_name", "nope", "status", "NOT_FOUND")));

      String latency = ServingMetrics.REQUEST_LATENCY;
      assertEquals(2, PrometheusText.value(families, latency, latency + "_count",
          Map.of("model_name", "half", "API", "predict", "entrypoint", "REST")));
      assertEquals(2, PrometheusText.value(families, latency, latency + "_count",
          Map.of("model_name", "half", "API", "Predict", "entrypoint", "GRPC")));
      String runtime = ServingMetrics.RUNTIME_LATENCY;
      assertEquals(4, PrometheusText.value(families, runtime, runtime + "_count",
          Map.of("model_name", "half", "API", "Predict", "runtime", "TF1")));
      // TensorFlow's Buckets::Exponential(10, 1.8, 33), then +Inf.
      var bounds = families.get(latency).samples().stream()
          .filter(s -> s.name().endsWith("_bucket") && s.labels().get("entrypoint").equals("REST"))
          .map(s -> s.labels().get("le")).toList();
      assertEquals(34, bounds.size());
      for (int i = 0; i < 33; i++) {
        double expected = 10 * Math.pow(1.8, i);
        assertEquals(expected, Double.parseDouble(bounds.get(i)), 1e-12 * expected, "le " + i);
      }
      assertEquals("+Inf", bounds.get(33));

      assertEquals(405, rest.post(METRICS, "").status());
      assertEquals(404, rest.get(METRICS + "/more").status());
    }
  }

  @Test
  void noMonitoringConfigNoEndpoint() throws IOException {
    Path base = temp.resolve("half");
    HalfPlusTwoModel.export(base);
    try (ModelServer server = ModelServer.start(ServerConfig.builder("half", base).port(0)
        .build())) {
      assertEquals(404, new RestClient(server).get(METRICS).status());
    }
  }

  @Test
  void aRestRequestOverTheTimeoutIsCancelledWith504() throws IOException {
    Path base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(ServingFixtures.STATIC_LSTM, base, 1);
    // 1,024 images through a 28-step LSTM: far longer than 1 ms.
    float[] batch = mnistBatch(1024);
    try (ModelServer server = ModelServer.start(ServerConfig.builder("mnist", base).port(0)
        .restTimeout(Duration.ofMillis(1)).maxRequestBytes(64L << 20).build())) {
      RestClient.Reply reply = new RestClient(server).post("/v1/models/mnist:predict",
          RestClient.rows(batch));
      assertEquals(504, reply.status(), () -> reply.body().substring(0,
          Math.min(300, reply.body().length())));
      assertTrue(reply.error().contains("time limit of 1 ms"), reply.error());
      String text = ServingMetricsTestSupport.scrape(server);
      Map<String, PrometheusText.Family> families = PrometheusText.parse(text);
      assertEquals(1, PrometheusText.value(families, ServingMetrics.REQUEST_COUNT,
          ServingMetrics.REQUEST_COUNT, Map.of("model_name", "mnist",
              "status", "DEADLINE_EXCEEDED")), text);
    }
  }

  @Test
  void aGrpcCallPastItsDeadlineIsCancelledOnTheServerToo() throws Exception {
    Path base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(ServingFixtures.STATIC_LSTM, base, 1);
    float[] batch = mnistBatch(2048);
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("mnist"))
        .putInputs("x", TensorProtoValues.toProto(NdValue.ofFloats(batch, 2048, 28, 28)))
        .build();
    try (ModelServer server = ModelServer.start(ServerConfig.builder("mnist", base).port(0)
            .maxRequestBytes(64L << 20).build());
        GrpcServer grpc = GrpcServer.start(server, 0)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port())
          .usePlaintext().maxInboundMessageSize(64 << 20).build();
      try {
        var stub = PredictionServiceGrpc.newBlockingStub(channel);
        // Untimed runs first (they also connect the channel and warm the session): how long the
        // batch takes here.
        stub.predict(request);
        long start = System.nanoTime();
        stub.predict(request);
        long runMillis = (System.nanoTime() - start) / 1_000_000;
        // A call reaches the server only if its message arrives before the deadline, which a
        // loaded machine may delay: shorter deadlines first, until the server sees one.
        for (int eighths : new int[] {3, 5, 7}) {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
              () -> stub.withDeadlineAfter(Math.max(20, runMillis * eighths / 8),
                  java.util.concurrent.TimeUnit.MILLISECONDS).predict(request));
          assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
          long waitUntil = System.nanoTime() + (2 * runMillis + 2000) * 1_000_000;
          while (countedCalls(server) == 2 && System.nanoTime() < waitUntil) {
            Thread.sleep(20);
          }
          if (countedCalls(server) > 2) {
            break;
          }
        }
      } finally {
        channel.shutdownNow();
      }
      // The server's own answer: its run was cancelled too, not finished and counted OK.
      Map<String, PrometheusText.Family> families = PrometheusText.parse(
          ServingMetricsTestSupport.scrape(server));
      assertEquals(1, PrometheusText.value(families, ServingMetrics.REQUEST_COUNT,
          ServingMetrics.REQUEST_COUNT, Map.of("model_name", "mnist",
              "status", "DEADLINE_EXCEEDED")), "no call reached the server in time");
      assertEquals(3, countedCalls(server));
    }
  }

  /** Every call counted for the model, whatever its status. */
  private static double countedCalls(ModelServer server) throws IOException {
    return PrometheusText.parse(ServingMetricsTestSupport.scrape(server))
        .get(ServingMetrics.REQUEST_COUNT).samples().stream()
        .filter(s -> s.labels().get("model_name").equals("mnist"))
        .mapToDouble(PrometheusText.Sample::value).sum();
  }

  /** {@code n} MNIST images (the fixture's, repeated), flat. */
  private static float[] mnistBatch(int n) throws IOException {
    float[] images = ServingFixtures.expected(ServingFixtures.STATIC_LSTM).images();
    int perImage = ServingFixtures.PIXELS;
    float[] batch = new float[n * perImage];
    for (int i = 0; i < n; i++) {
      System.arraycopy(images, (i % (images.length / perImage)) * perImage, batch,
          i * perImage, perImage);
    }
    return batch;
  }

  private static PredictRequest request(String signature, String inputKey) {
    return PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("half").setSignatureName(signature))
        .putInputs(inputKey, TensorProtoValues.toProto(NdValue.ofFloats(
            new float[] {1f, 2f, 3f}, 3)))
        .build();
  }
}
