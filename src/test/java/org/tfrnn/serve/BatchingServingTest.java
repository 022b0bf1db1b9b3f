package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tfrnn.serve.ServingFixtures.STATIC_LSTM;
import static org.tfrnn.serve.ServingFixtures.maxAbsDiff;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.batching.BatchRun;
import org.tfrnn.batching.BatchingOptions;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;

/**
 * {@code --enable_batching} through both front ends: REST and gRPC requests to the same signature
 * share batches and get Python TensorFlow's answers; a full queue is 503 / {@code UNAVAILABLE},
 * a request over {@code max_batch_size} 400 / {@code INVALID_ARGUMENT}, as TensorFlow Serving
 * answers. No timings: batches fill up under an hour's timeout, or a listener holds the thread.
 */
class BatchingServingTest {
  private static final long AN_HOUR_MICROS = 3_600_000_000L;
  private static final String POOL = "test_serving_batch";

  @TempDir Path temp;
  private final List<BatchRun> runs = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService clients = Executors.newCachedThreadPool();
  private ManagedChannel channel;

  @AfterEach
  void stopClients() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    clients.shutdownNow();
    assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
  }

  private static BatchingOptions options(long maxBatchSize, long timeoutMicros,
      long maxEnqueued, boolean padVariableLength) {
    return new BatchingOptions(maxBatchSize, timeoutMicros, maxEnqueued, 1, POOL, new long[0],
        padVariableLength);
  }

  private ServerListener recording(Consumer<BatchRun> also) {
    return new ServerListener() {
      @Override
      public void batchRun(BatchRun run) {
        runs.add(run);
        also.accept(run);
      }
    };
  }

  private PredictionServiceBlockingStub grpc(GrpcServer grpc) {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    return PredictionServiceGrpc.newBlockingStub(channel);
  }

  private static PredictRequest request(String model, NdValue x) {
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
        .putInputs("x", TensorProtoValues.toProto(x)).build();
  }

  private static NdValue images(ServingFixtures.Expected expected, int from, int n) {
    return NdValue.ofFloats(expected.images(from, n), n, 28, 28);
  }

  private static float[] restLogits(RestClient.Reply reply) {
    assertEquals(200, reply.status(), reply.body());
    return RestClient.floats(RestClient.field(reply.json().get("predictions"), "logits"));
  }

  private static float[] grpcLogits(PredictResponse response) {
    return TensorProtoValues.toNdValue("logits", response.getOutputsOrThrow("logits")).floats();
  }

  private static boolean batchThreadsRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith(POOL + "_"));
  }

  @Test
  void restAndGrpcRequestsShareBatchesAndGetPythonsAnswers() throws Exception {
    Path base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    ServingFixtures.Expected python = ServingFixtures.expected(STATIC_LSTM);
    ServerConfig config = ServerConfig.of("mnist", base).withPort(0)
        .withBatching(options(4, AN_HOUR_MICROS, 10, false));
    try (ModelServer server = ModelServer.start(config, recording(run -> {}));
        GrpcServer grpcServer = GrpcServer.start(server, 0)) {
      PredictionServiceBlockingStub stub = grpc(grpcServer);
      RestClient rest = new RestClient(server);
      // Four one-row requests, two per API, fill one batch of 4.
      List<CompletableFuture<float[]>> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int image = i;
        answers.add(CompletableFuture.supplyAsync(() -> image % 2 == 0
            ? restLogits(rest.post("/v1/models/mnist:predict",
                RestClient.rows(python.images(image, 1))))
            : grpcLogits(stub.predict(request("mnist", images(python, image, 1)))), clients));
      }
      for (int i = 0; i < 4; i++) {
        assertTrue(maxAbsDiff(python.floats("logits", i, 1), answers.get(i).join()) <= 1e-5,
            "image " + i);
      }
      assertEquals(1, runs.size(), runs.toString());
      assertEquals(List.of(4, 4, 4), List.of(runs.get(0).tasks(), runs.get(0).batchSize(),
          runs.get(0).paddedBatchSize()));
      assertEquals("mnist", runs.get(0).model());
      assertTrue(batchThreadsRunning());
    }
    assertTrue(!batchThreadsRunning(), "the batch threads stop with the server");
  }

  @Test
  void aFullQueueIs503AndUnavailableAnOversizeRequest400AndInvalidArgument() throws Exception {
    Path base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    ServingFixtures.Expected python = ServingFixtures.expected(STATIC_LSTM);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ServerConfig config = ServerConfig.of("mnist", base).withPort(0)
        .withBatching(options(1, 0, 1, false));
    try (ModelServer server = ModelServer.start(config, recording(run -> {
          running.countDown();
          try {
            release.await(); // holds the only batch thread in the first batch
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
        GrpcServer grpcServer = GrpcServer.start(server, 0)) {
      PredictionServiceBlockingStub stub = grpc(grpcServer);
      RestClient rest = new RestClient(server);

      RestClient.Reply oversize = rest.post("/v1/models/mnist:predict",
          RestClient.rows(python.images(0, 2)));
      assertEquals(400, oversize.status(), oversize.body());
      assertEquals("Task size 2 is larger than maximum input batch size 1", oversize.error());
      StatusRuntimeException grpcOversize = assertThrows(StatusRuntimeException.class,
          () -> stub.predict(request("mnist", images(python, 0, 2))));
      assertEquals(Status.Code.INVALID_ARGUMENT, grpcOversize.getStatus().getCode());
      assertEquals("Task size 2 is larger than maximum input batch size 1",
          grpcOversize.getStatus().getDescription());

      var first = CompletableFuture.supplyAsync(() -> restLogits(rest.post(
          "/v1/models/mnist:predict", RestClient.rows(python.images(5, 1)))), clients);
      assertTrue(running.await(60, TimeUnit.SECONDS));
      var queued = CompletableFuture.supplyAsync(() -> grpcLogits(stub.predict(
          request("mnist", images(python, 6, 1)))), clients);
      ServingFixtures.patiently("the second request queued")
          .until(() -> server.models().batching().queuedRequests() == 1);

      String full = "The batch scheduling queue to which this task was submitted is full; "
          + "currently 1 batches enqueued and max_enqueued_batches is 1";
      RestClient.Reply refused = rest.post("/v1/models/mnist:predict",
          RestClient.rows(python.images(7, 1)));
      assertEquals(503, refused.status(), refused.body());
      assertEquals(full, refused.error());
      StatusRuntimeException unavailable = assertThrows(StatusRuntimeException.class,
          () -> stub.predict(request("mnist", images(python, 7, 1))));
      assertEquals(Status.Code.UNAVAILABLE, unavailable.getStatus().getCode());
      assertEquals(full, unavailable.getStatus().getDescription());

      release.countDown();
      assertTrue(maxAbsDiff(python.floats("logits", 5, 1), first.join()) <= 1e-5);
      assertTrue(maxAbsDiff(python.floats("logits", 6, 1), queued.join()) <= 1e-5);
    }
  }

  @Test
  void variableLengthInputsArePaddedAndInputsWithoutBatchDimensionRefused() throws Exception {
    Path base = temp.resolve("half");
    HalfPlusTwoModel.export(base);
    ServerConfig config = ServerConfig.of("half", base).withPort(0)
        .withBatching(options(2, AN_HOUR_MICROS, 10, true));
    try (ModelServer server = ModelServer.start(config, recording(run -> {}));
        GrpcServer grpcServer = GrpcServer.start(server, 0)) {
      PredictionServiceBlockingStub stub = grpc(grpcServer);
      // y = 0.5 x + 2; [[1, 2]] is padded to [[1, 2, 1]] (its own first element) to merge with
      // [[3, 4, 5]], as TensorFlow Serving's pad_variable_length_inputs does.
      var shorter = CompletableFuture.supplyAsync(() -> stub.predict(request("half",
          NdValue.ofFloats(new float[] {1, 2}, 1, 2))), clients);
      var longer = CompletableFuture.supplyAsync(() -> stub.predict(request("half",
          NdValue.ofFloats(new float[] {3, 4, 5}, 1, 3))), clients);
      NdValue y1 = TensorProtoValues.toNdValue("y", shorter.join().getOutputsOrThrow("y"));
      NdValue y2 = TensorProtoValues.toNdValue("y", longer.join().getOutputsOrThrow("y"));
      assertArrayEquals(new long[] {1, 3}, y1.shape());
      assertArrayEquals(new float[] {0.5f * 1 + 2, 0.5f * 2 + 2, 0.5f * 1 + 2}, y1.floats());
      assertArrayEquals(new float[] {0.5f * 3 + 2, 0.5f * 4 + 2, 0.5f * 5 + 2}, y2.floats());
      assertEquals(1, runs.size(), runs.toString());

      // A scalar has no batch dimension: TensorFlow Serving's batching refuses it.
      StatusRuntimeException scalar = assertThrows(StatusRuntimeException.class,
          () -> stub.predict(request("half", NdValue.ofFloats(new float[] {3}))));
      assertEquals(Status.Code.INVALID_ARGUMENT, scalar.getStatus().getCode());
      assertEquals("Batching Run() input tensors must have at least one dimension",
          scalar.getStatus().getDescription());
    }
  }
}
