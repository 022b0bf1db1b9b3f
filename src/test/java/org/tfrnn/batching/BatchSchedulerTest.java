package org.tfrnn.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * The scheduler on a real model, Python's notebook-003 LSTM ({@code savedmodels/py-static-lstm}):
 * each request's batched answer equals its unbatched one and what Python TensorFlow computed,
 * whatever it was merged with. Merging is made certain without timing: a batch timeout of an hour
 * and batches that fill up, or a listener that holds the only batch thread.
 */
class BatchSchedulerTest {
  private static final Path FIXTURE = Path.of("savedmodels/py-static-lstm");
  private static final int PIXELS = 28 * 28;
  private static final long AN_HOUR_MICROS = 3_600_000_000L;
  private static Predictor predictor;
  private static float[] images;
  private static Map<String, NdValue> python;

  private final List<BatchRun> runs = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService clients = Executors.newCachedThreadPool();
  private BatchScheduler scheduler;

  @BeforeAll
  static void load() throws IOException {
    predictor = Predictor.open(FIXTURE);
    Path expected = FIXTURE.resolve("expected");
    images = Npy.read(expected.resolve("inputs.npy")).floats();
    python = Map.of("logits", Npy.read(expected.resolve("logits.npy")),
        "classes", Npy.read(expected.resolve("classes.npy")));
  }

  @AfterAll
  static void free() {
    predictor.close();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (scheduler != null) {
      scheduler.close();
    }
    clients.shutdownNow();
    assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
  }

  private BatchScheduler start(BatchingOptions options, BatchListener listener) {
    scheduler = BatchScheduler.start(options, listener);
    return scheduler;
  }

  private BatchScheduler start(BatchingOptions options) {
    return start(options, calling(runs::add));
  }

  private static BatchListener calling(Consumer<BatchRun> onRun) {
    return new BatchListener() {
      @Override
      public void batchRun(BatchRun run) {
        onRun.accept(run);
      }
    };
  }

  private static BatchingOptions options(long maxBatchSize, long timeoutMicros,
      long maxEnqueued, long... allowed) {
    return new BatchingOptions(maxBatchSize, timeoutMicros, maxEnqueued, 1, "test_batch_threads",
        allowed, false);
  }

  /** Images {@code from .. from+n-1} as the model's input. */
  private static Map<String, NdValue> request(int from, int n) {
    return Map.of("x", NdValue.ofFloats(
        Arrays.copyOfRange(images, from * PIXELS, (from + n) * PIXELS), n, 28, 28));
  }

  private CompletableFuture<Map<String, NdValue>> submit(int from, int n) {
    return CompletableFuture.supplyAsync(() -> scheduler.predict("mnist", 1, predictor,
        "serving_default", request(from, n), null), clients);
  }

  private static void awaitValue(String what, IntSupplier value, int wanted) {
    Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
        .until(() -> value.getAsInt() == wanted);
  }

  /** The answer equals the unbatched one and Python's, row for row. */
  private static void assertAnswer(int from, int n, Map<String, NdValue> answer) {
    Map<String, NdValue> unbatched = predictor.predict("serving_default", request(from, n));
    assertEquals(unbatched.keySet(), answer.keySet());
    for (String key : unbatched.keySet()) {
      assertArrayEquals(unbatched.get(key).shape(), answer.get(key).shape(), key);
    }
    assertArrayEquals(unbatched.get("classes").longs(), answer.get("classes").longs());
    assertArrayEquals(Arrays.copyOfRange(python.get("classes").longs(), from, from + n),
        answer.get("classes").longs());
    float[] logits = answer.get("logits").floats();
    float[] pythonLogits = Arrays.copyOfRange(python.get("logits").floats(), from * 10,
        (from + n) * 10);
    float[] unbatchedLogits = unbatched.get("logits").floats();
    for (int i = 0; i < logits.length; i++) {
      assertEquals(unbatchedLogits[i], logits[i], 1e-5, "logit " + i);
      assertEquals(pythonLogits[i], logits[i], 1e-5, "logit " + i + " against Python");
    }
  }

  @Test
  void concurrentRequestsAreMergedAndEachGetsItsOwnAnswer() {
    // Rows 1 + 1 + 2 fill a batch of 4 exactly; with an hour's timeout nothing runs before that.
    start(options(4, AN_HOUR_MICROS, 10));
    var first = submit(0, 1);
    var second = submit(1, 1);
    var third = submit(2, 2);
    assertAnswer(0, 1, first.join());
    assertAnswer(1, 1, second.join());
    assertAnswer(2, 2, third.join());
    assertEquals(1, runs.size(), runs.toString());
    BatchRun run = runs.get(0);
    assertEquals(3, run.tasks());
    assertEquals(4, run.batchSize());
    assertEquals(4, run.paddedBatchSize());
    assertEquals(List.of(1, 1, 2), run.taskSizes().stream().sorted().toList());
    assertEquals(3, run.queueTimes().size());
    assertTrue(run.queueTimes().stream().noneMatch(Duration::isNegative));
    assertEquals("mnist", run.model());
    assertEquals(1, run.version());
    assertEquals("serving_default", run.signature());
    assertEquals("test_batch_threads", run.threadPoolName());
    assertTrue(run.succeeded());
  }

  @Test
  void aBatchIsPaddedToTheNextAllowedSizeAndThePaddingDropped() {
    start(options(8, AN_HOUR_MICROS, 10, 5, 8));
    var a = submit(10, 3);
    awaitValue("a queued", scheduler::queuedRequests, 1);
    var b = submit(13, 3);
    awaitValue("b queued", scheduler::queuedRequests, 2);
    // 6 + 3 rows do not fit in 8: c closes the batch of a and b (6 rows, run as 8).
    var c = submit(16, 3);
    assertAnswer(10, 3, a.join());
    assertAnswer(13, 3, b.join());
    awaitValue("c queued alone", scheduler::queuedRequests, 1);
    assertFalse(c.isDone());
    scheduler.close(); // runs c at once (3 rows, run as 5)
    assertAnswer(16, 3, c.join());
    assertEquals(2, runs.size(), runs.toString());
    assertEquals(List.of(6, 8, 2, 3, 5, 1), List.of(runs.get(0).batchSize(),
        runs.get(0).paddedBatchSize(), runs.get(0).tasks(), runs.get(1).batchSize(),
        runs.get(1).paddedBatchSize(), runs.get(1).tasks()));
    assertEquals(2, runs.get(0).paddingSize());
  }

  @Test
  void aFullQueueRefusesAtOnceWithTensorFlowServingsMessage() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // The listener holds the only batch thread inside the first batch.
    start(options(1, 0, 1), calling(run -> {
      runs.add(run);
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    var a = submit(20, 1);
    assertTrue(running.await(60, TimeUnit.SECONDS));
    var b = submit(21, 1);
    awaitValue("b queued", scheduler::queuedRequests, 1);
    PredictionException refused = assertThrows(PredictionException.class,
        () -> scheduler.predict("mnist", 1, predictor, "", request(22, 1), null));
    assertEquals(PredictionException.Reason.UNAVAILABLE, refused.reason());
    assertEquals("The batch scheduling queue to which this task was submitted is full; currently "
        + "1 batches enqueued and max_enqueued_batches is 1", refused.getMessage());
    release.countDown();
    assertAnswer(20, 1, a.join());
    assertAnswer(21, 1, b.join());
  }

  @Test
  void aRequestOverMaxBatchSizeOrNotMatchingTheSignatureFailsAlone() {
    start(options(2, 0, 10));
    PredictionException tooBig = assertThrows(PredictionException.class,
        () -> scheduler.predict("mnist", 1, predictor, null, request(0, 3), null));
    assertTrue(tooBig.badRequest());
    assertEquals("Task size 3 is larger than maximum input batch size 2", tooBig.getMessage());
    PredictionException wrongShape = assertThrows(PredictionException.class,
        () -> scheduler.predict("mnist", 1, predictor, null,
            Map.of("x", NdValue.ofFloats(new float[28], 1, 28)), null));
    assertTrue(wrongShape.badRequest());
    assertTrue(wrongShape.getMessage().startsWith("input 'x' must have shape float32[-1,28,28]"),
        wrongShape.getMessage());
    assertEquals(List.of(), runs);
  }

  @Test
  void anOutputFilterGetsOnlyItsOutputs() {
    start(options(2, 0, 10));
    Map<String, NdValue> answer = scheduler.predict("mnist", 1, predictor, "serving_default",
        request(5, 2), List.of("classes"));
    assertEquals(List.of("classes"), List.copyOf(answer.keySet()));
    assertArrayEquals(Arrays.copyOfRange(python.get("classes").longs(), 5, 7),
        answer.get("classes").longs());
  }

  @Test
  void closeRunsWhatIsQueuedThenStopsItsThreadsAndRefusesNewRequests() {
    start(options(4, AN_HOUR_MICROS, 10));
    var queued = submit(30, 1);
    awaitValue("queued", scheduler::queuedRequests, 1);
    scheduler.close();
    assertAnswer(30, 1, queued.join());
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("test_batch_threads_")));
    PredictionException refused = assertThrows(PredictionException.class,
        () -> scheduler.predict("mnist", 1, predictor, null, request(0, 1), null));
    assertEquals(PredictionException.Reason.UNAVAILABLE, refused.reason());
  }
}
