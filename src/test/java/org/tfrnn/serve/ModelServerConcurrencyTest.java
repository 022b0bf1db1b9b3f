package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tfrnn.serve.ServingFixtures.STATIC_LSTM;
import static org.tfrnn.serve.ServingFixtures.maxAbsDiff;
import static org.tfrnn.serve.ServingFixtures.patiently;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients at once, mixed batch sizes and both formats: every answer is the right one for its
 * own images (Python TensorFlow's recorded outputs), so no request sees another's tensors.
 */
class ModelServerConcurrencyTest {
  private static final int CLIENTS = 16;
  private static final int REQUESTS_PER_CLIENT = 50;
  private static final int[] BATCH_SIZES = {1, 2, 5, 8, 13, 32};

  /** A request for images {@code from .. from+n-1}, in rows or in columns. */
  private record Request(int from, int n, boolean rows, String body) {}

  @Test
  void everyConcurrentAnswerIsRight(@TempDir Path base) throws Exception {
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    ServingFixtures.Expected expected = ServingFixtures.expected(STATIC_LSTM);
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int n = BATCH_SIZES[i % BATCH_SIZES.length];
      int from = (i * 37) % (expected.count() - n + 1);
      boolean rows = i % 2 == 0;
      float[] images = expected.images(from, n);
      requests.add(new Request(from, n, rows,
          rows ? RestClient.rows(images) : RestClient.columns("x", images)));
    }

    try (ModelServer server = ModelServer.start(ServerConfig.of("mnist", base).withPort(0))) {
      RestClient client = new RestClient(server);
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int first = c;
        done.add(clients.submit((Callable<Integer>) () -> {
          for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
            Request request = requests.get((first * 7 + r) % requests.size());
            RestClient.Reply reply = client.post("/v1/models/mnist:predict", request.body());
            assertEquals(200, reply.status(), reply.body());
            assertAnswer(expected, request, reply.json());
          }
          return REQUESTS_PER_CLIENT;
        }));
      }
      clients.shutdown();
      int answered = 0;
      for (Future<Integer> f : done) {
        answered += f.get(5, TimeUnit.MINUTES);
      }
      assertEquals(CLIENTS * REQUESTS_PER_CLIENT, answered);
      // A handler leaves the in-flight count just after its answer is sent, so the last client
      // can see its answer a moment before the count drops: wait for it rather than race it.
      patiently("no request left in flight").until(() -> server.requestsInFlight() == 0);
    }
  }

  private static void assertAnswer(ServingFixtures.Expected expected, Request request,
      JsonNode answer) {
    long[] classes;
    float[] logits;
    float[] probabilities;
    if (request.rows()) {
      JsonNode predictions = answer.get("predictions");
      assertEquals(request.n(), predictions.size());
      classes = RestClient.integers(RestClient.field(predictions, "classes"));
      logits = RestClient.floats(RestClient.field(predictions, "logits"));
      probabilities = RestClient.floats(RestClient.field(predictions, "probabilities"));
    } else {
      JsonNode outputs = answer.get("outputs");
      classes = RestClient.integers(outputs.get("classes"));
      logits = RestClient.floats(outputs.get("logits"));
      probabilities = RestClient.floats(outputs.get("probabilities"));
    }
    assertArrayEquals(expected.longs("classes", request.from(), request.n()), classes);
    double logitError = maxAbsDiff(expected.floats("logits", request.from(), request.n()), logits);
    double probabilityError = maxAbsDiff(
        expected.floats("probabilities", request.from(), request.n()), probabilities);
    if (logitError > 1e-5 || probabilityError > 1e-5) {
      throw new AssertionError("images " + request.from() + ".." + (request.from() + request.n())
          + ": logits off by " + logitError + ", probabilities by " + probabilityError);
    }
  }
}
