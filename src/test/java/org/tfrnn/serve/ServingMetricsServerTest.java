package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.batching.BatchingOptions;
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
  void batchedRequestsRecordTheirQueuingLatency() throws IOException {
    Path base = temp.resolve("half");
    HalfPlusTwoModel.export(base);
    try (ModelServer server = ModelServer.start(ServerConfig.builder("half", base).port(0)
        .batching(BatchingOptions.defaults()).build())) {
      RestClient rest = new RestClient(server);
      for (int i = 0; i < 3; i++) {
        assertEquals(200, rest.post("/v1/models/half:predict", "{\"instances\": [1.0, 2.0]}")
            .status());
      }
      Map<String, PrometheusText.Family> families = PrometheusText.parse(
          ServingMetricsTestSupport.scrape(server));
      String queuing = ServingMetrics.BATCH_QUEUING_LATENCY;
      assertEquals(3, PrometheusText.value(families, queuing, queuing + "_count",
          Map.of("thread_pool_name", "model_server_batch_threads")));
      assertEquals(3, PrometheusText.value(families, ServingMetrics.REQUEST_COUNT,
          ServingMetrics.REQUEST_COUNT, Map.of("model_name", "half", "status", "OK")));
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
  void aGrpcPredictRunsWithinTheCallsDeadline() throws Exception {
    Path base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(ServingFixtures.STATIC_LSTM, base, 1);
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("mnist"))
        .putInputs("x", TensorProtoValues.toProto(NdValue.ofFloats(mnistBatch(1024), 1024, 28,
            28)))
        .build();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (ModelServer server = ModelServer.start(ServerConfig.builder("mnist", base).port(0)
        .build())) {
      GrpcPredictionService service = new GrpcPredictionService(server.models(),
          new GrpcCalls(ServerListener.NONE, server.metrics()), server.metrics());
      // A deadline whose clock stands still: 1 ms is left however long the request takes to
      // convert, so the run itself must be cancelled by TensorFlow's timeout.
      Status oneMilli = call(service, request, frozenDeadline(1), timer);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, oneMilli.getCode(), oneMilli.toString());
      assertTrue(oneMilli.getDescription().contains("time limit of 1 ms"), oneMilli.toString());
      Status passed = call(service, request, frozenDeadline(-1), timer);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, passed.getCode(), passed.toString());
      assertEquals(Status.Code.OK, call(service, request, null, timer).getCode());

      Map<String, PrometheusText.Family> families = PrometheusText.parse(
          ServingMetricsTestSupport.scrape(server));
      String count = ServingMetrics.REQUEST_COUNT;
      assertEquals(2, PrometheusText.value(families, count, count,
          Map.of("model_name", "mnist", "status", "DEADLINE_EXCEEDED")));
      assertEquals(1, PrometheusText.value(families, count, count,
          Map.of("model_name", "mnist", "status", "OK")));
    } finally {
      timer.shutdownNow();
    }
  }

  private static Deadline frozenDeadline(long millis) {
    return Deadline.after(millis, TimeUnit.MILLISECONDS, new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return 0;
      }
    });
  }

  /** Calls Predict in a context with that deadline (or none); the status it answered. */
  private static Status call(GrpcPredictionService service, PredictRequest request,
      Deadline deadline, ScheduledExecutorService timer) {
    AtomicReference<Status> answered = new AtomicReference<>();
    StreamObserver<PredictResponse> observer = new StreamObserver<>() {
      @Override
      public void onNext(PredictResponse response) {}

      @Override
      public void onError(Throwable t) {
        answered.set(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        answered.set(Status.OK);
      }
    };
    Runnable predict = () -> service.predict(request, observer);
    if (deadline == null) {
      predict.run();
    } else {
      Context.CancellableContext context = Context.current().withDeadline(deadline, timer);
      try {
        context.run(predict);
      } finally {
        context.cancel(null);
      }
    }
    return answered.get();
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
