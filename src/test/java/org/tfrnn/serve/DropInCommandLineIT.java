package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.interop.PythonProcess;
import org.tfrnn.metrics.PrometheusText;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.serve.ServingFixtures.Expected;

/**
 * Issue 11's "done when": a deployment command line written for {@code tensorflow_model_server}
 * (gRPC and REST ports, a model config file with two models, a version policy and labels,
 * batching, Prometheus) starts {@code tfrnn serve} unchanged in its own JVM, with the three
 * files in TensorFlow Serving's own text syntax as its documentation shows them. Every answer is
 * compared with the outputs Python TensorFlow recorded for the fixtures; the gRPC call is made by
 * TensorFlow Serving's Python client; SIGTERM ends the server with exit code 0.
 */
class DropInCommandLineIT {
  /** Kubernetes' default terminationGracePeriodSeconds: SIGKILL follows SIGTERM after it. */
  private static final long GRACE_SECONDS = 30;
  private static final String METRICS_PATH = "/monitoring/prometheus/metrics";
  private static final String BATCH_POOL = "batch_threads";
  /**
   * Against the outputs Python recorded on another run (ModelServerHttpTest's bound): logits of
   * size ~10 differ by a few float32 ulps (5.7e-6 seen) with the batch's shape.
   */
  private static final double TOLERANCE = 1e-5;

  @TempDir
  Path temp;

  /** Predict calls sent per model, with their outcome, for the request counter's check. */
  private final Map<String, Integer> okPredicts = new HashMap<>();

  @Test
  void tensorflowModelServersCommandLineServesBothApisBatchedAndCounted() throws Exception {
    // mnist: versions 1 (basic RNN), 2 (static LSTM) and 3; the policy serves 1 and 2 only.
    Path mnist = Files.createDirectories(temp.resolve("models/mnist"));
    ServingFixtures.publishVersion(ServingFixtures.BASIC_RNN_DENSE, mnist, 1);
    ServingFixtures.publishVersion(ServingFixtures.STATIC_LSTM, mnist, 2);
    ServingFixtures.publishVersion(ServingFixtures.STATIC_LSTM, mnist, 3);
    Path keras = Files.createDirectories(temp.resolve("models/keras"));
    ServingFixtures.publishVersion(ServingFixtures.KERAS_LSTM, keras, 1);
    // The three files in the syntax of TensorFlow Serving's serving_config.md.
    Path modelConfig = write("models.config", String.join("\n",
        "model_config_list {",
        "  config {",
        "    name: 'mnist'",
        "    base_path: '" + mnist + "/'",
        "    model_platform: 'tensorflow'",
        "    model_version_policy {",
        "      specific {",
        "        versions: 1",
        "        versions: 2",
        "      }",
        "    }",
        "    version_labels {",
        "      key: 'stable'",
        "      value: 1",
        "    }",
        "    version_labels {",
        "      key: 'canary'",
        "      value: 2",
        "    }",
        "  }",
        "  config {",
        "    name: 'keras'",
        "    base_path: '" + keras + "'",
        "    model_platform: 'tensorflow'",
        "  }",
        "}", ""));
    Path batchingConfig = write("batching.config", String.join("\n",
        "max_batch_size { value: 32 }",
        "batch_timeout_micros { value: 5000 }",
        "max_enqueued_batches { value: 100 }",
        "num_batch_threads { value: 2 }", ""));
    Path monitoringConfig = write("monitoring.config", String.join("\n",
        "prometheus_config {",
        "  enable: true,",
        "  path: \"" + METRICS_PATH + "\"",
        "}", ""));
    int grpcPort = freePort();
    int restPort = freePort();

    Process server = start(List.of(
        "--port=" + grpcPort,
        "--rest_api_port=" + restPort,
        "--model_config_file=" + modelConfig,
        "--model_config_file_poll_wait_seconds=60",
        "--enable_batching=true",
        "--batching_parameters_file=" + batchingConfig,
        "--monitoring_config_file=" + monitoringConfig,
        "--rest_api_timeout_in_ms=20000",
        "--file_system_poll_wait_seconds=1"));
    try {
      RestClient rest = new RestClient(restPort);
      awaitAvailable(server, rest, "mnist", List.of("2", "1"));
      awaitAvailable(server, rest, "keras", List.of("1"));
      Map<String, PrometheusText.Family> before = scrape(rest);

      Expected basicRnn = ServingFixtures.expected(ServingFixtures.BASIC_RNN_DENSE);
      Expected staticLstm = ServingFixtures.expected(ServingFixtures.STATIC_LSTM);
      Expected kerasLstm = ServingFixtures.expected(ServingFixtures.KERAS_LSTM);
      // Without a version: the highest the policy serves (2), not the newest on disk (3).
      assertMnistAnswer(staticLstm, 0, 8, predict(rest, "mnist", "", staticLstm, 0, 8));
      assertMnistAnswer(basicRnn, 8, 4, predict(rest, "mnist", "/labels/stable", basicRnn, 8, 4));
      assertMnistAnswer(staticLstm, 12, 4,
          predict(rest, "mnist", "/labels/canary", staticLstm, 12, 4));
      assertMnistAnswer(basicRnn, 16, 2, predict(rest, "mnist", "/versions/1", basicRnn, 16, 2));
      assertKerasAnswer(kerasLstm, 0, 8, predict(rest, "keras", "", kerasLstm, 0, 8));
      assertEquals(404, rest.post("/v1/models/mnist/versions/3:predict",
          RestClient.rows(staticLstm.images(0, 1))).status(), "version 3 is outside the policy");

      assertGrpcPredictByLabel(grpcPort, "stable", 1, ServingFixtures.BASIC_RNN_DENSE, basicRnn);
      okPredicts.merge("mnist", 1, Integer::sum);

      // 16 clients at once, one image each, alternating the models: batches form, and each
      // request gets its own rows.
      ExecutorService clients = Executors.newFixedThreadPool(16);
      try {
        List<Future<Runnable>> answers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          int image = 20 + i;
          boolean toKeras = i % 2 == 1;
          answers.add(clients.submit(() -> toKeras
              ? verifyKeras(kerasLstm, image, rest.post("/v1/models/keras:predict",
                  RestClient.rows(kerasLstm.images(image, 1))))
              : verifyMnist(staticLstm, image, rest.post("/v1/models/mnist/labels/canary:predict",
                  RestClient.rows(staticLstm.images(image, 1))))));
        }
        for (Future<Runnable> answer : answers) {
          answer.get(120, TimeUnit.SECONDS).run();
        }
      } finally {
        clients.shutdownNow();
      }
      okPredicts.merge("mnist", 32, Integer::sum);
      okPredicts.merge("keras", 32, Integer::sum);

      Map<String, PrometheusText.Family> after = scrape(rest);
      for (String model : List.of("mnist", "keras")) {
        assertEquals((double) okPredicts.get(model),
            counted(after, model, "OK") - counted(before, model, "OK"), model + " OK requests");
      }
      assertEquals(1, counted(after, "mnist", "NOT_FOUND") - counted(before, "mnist", "NOT_FOUND"));
      // Every successful predict went through the batch queue (REST and gRPC alike).
      int predicts = okPredicts.values().stream().mapToInt(Integer::intValue).sum();
      assertEquals(predicts, queued(after) - queued(before), "batched requests");

      server.destroy(); // SIGTERM, as docker stop and Kubernetes send it
      assertTrue(server.waitFor(GRACE_SECONDS, TimeUnit.SECONDS),
          "still running " + GRACE_SECONDS + " s after SIGTERM");
      assertEquals(0, server.exitValue(), log());
      String log = log();
      assertTrue(log.contains("stopping: finishing requests in flight")
          && log.endsWith(" stopped\n"), "the shutdown hook ran to its end:\n" + log);
    } finally {
      server.destroyForcibly();
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(temp.resolve(name), text);
  }

  /** {@code tfrnn serve ARGS} in a child JVM, as ./tfrnn starts it. */
  private Process start(List<String> args) throws IOException {
    String classpath = "target/classes:"
        + Files.readString(Path.of("target/runtime-classpath.txt")).strip();
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx2g", "-cp", classpath,
        "org.tfrnn.cli.Main", "serve"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(temp.resolve("serve.stdout").toFile())
        .redirectError(temp.resolve("serve.stderr").toFile());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return builder.start();
  }

  private String log() {
    try {
      return "--- stdout\n" + Files.readString(temp.resolve("serve.stdout"))
          + "--- stderr\n" + Files.readString(temp.resolve("serve.stderr"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waits until GET /v1/models/NAME answers 200 with exactly these versions AVAILABLE. */
  private void awaitAvailable(Process server, RestClient rest, String model,
      List<String> versions) {
    ServingFixtures.patiently("model " + model + " available").ignoreExceptions().until(() -> {
      assertTrue(server.isAlive(), () -> "the server ended: " + log());
      RestClient.Reply reply = rest.get("/v1/models/" + model);
      if (reply.status() != 200) {
        return false;
      }
      List<String> available = new ArrayList<>();
      for (JsonNode status : reply.json().get("model_version_status")) {
        if (status.get("state").asText().equals("AVAILABLE")) {
          available.add(status.get("version").asText());
        }
      }
      return available.equals(versions);
    });
  }

  /** POST /v1/models/MODEL{where}:predict of images from..from+n-1; its predictions. */
  private JsonNode predict(RestClient rest, String model, String where, Expected fixture,
      int from, int n) {
    String path = "/v1/models/" + model + where + ":predict";
    RestClient.Reply reply = rest.post(path, RestClient.rows(fixture.images(from, n)));
    assertEquals(200, reply.status(), path + ": " + reply.body());
    okPredicts.merge(model, 1, Integer::sum);
    return reply.json().get("predictions");
  }

  /** The row-format answer of a fixture with outputs classes, logits and probabilities. */
  private static void assertMnistAnswer(Expected python, int from, int n,
      JsonNode predictions) {
    assertEquals(n, predictions.size());
    for (String output : List.of("logits", "probabilities")) {
      double diff = ServingFixtures.maxAbsDiff(python.floats(output, from, n),
          RestClient.floats(RestClient.field(predictions, output)));
      assertTrue(diff <= TOLERANCE, output + " of images " + from + ".." + (from + n - 1)
          + " differ from Python's by " + diff);
    }
    assertEquals(boxed(python.longs("classes", from, n)),
        boxed(RestClient.integers(RestClient.field(predictions, "classes"))));
  }

  /** The row-format answer of the Keras fixture, whose one output (output_0) is unnamed. */
  private static void assertKerasAnswer(Expected python, int from, int n,
      JsonNode predictions) {
    assertEquals(n, predictions.size());
    assertTrue(ServingFixtures.maxAbsDiff(python.floats("output_0", from, n),
        RestClient.floats(predictions)) <= TOLERANCE);
  }

  /** A check to run on the test thread, so that its failure fails the test. */
  private static Runnable verifyMnist(Expected python, int image,
      RestClient.Reply reply) {
    return () -> {
      assertEquals(200, reply.status(), reply.body());
      assertMnistAnswer(python, image, 1, reply.json().get("predictions"));
    };
  }

  private static Runnable verifyKeras(Expected python, int image,
      RestClient.Reply reply) {
    return () -> {
      assertEquals(200, reply.status(), reply.body());
      assertKerasAnswer(python, image, 1, reply.json().get("predictions"));
    };
  }

  /** gRPC Predict by {@code model_spec.version_label}, through tensorflow-serving-api. */
  private static void assertGrpcPredictByLabel(int grpcPort, String label, long version,
      String fixture, Expected python) throws Exception {
    PythonProcess.Outcome outcome = PythonProcess.run("serving_grpc_predict.py",
        "--target", "127.0.0.1:" + grpcPort, "--model", "mnist", "--version-label", label,
        "--inputs", ServingFixtures.SAVED_MODELS.resolve(fixture)
            .resolve("expected/inputs.npy").toString(),
        "--count", "8");
    assertEquals(0, outcome.exitCode(), outcome.describe());
    JsonNode result = RestClient.JSON.readTree(outcome.lastLine());
    assertEquals("mnist", result.at("/model_spec/name").asText());
    assertEquals(version, result.at("/model_spec/version").asLong());
    assertEquals("serving_default", result.at("/model_spec/signature_name").asText());
    JsonNode outputs = result.get("outputs");
    assertEquals(List.of("classes", "logits", "probabilities"),
        sorted(outputs.fieldNames()));
    for (String output : List.of("logits", "probabilities")) {
      assertEquals("float32", outputs.at("/" + output + "/dtype").asText());
      assertEquals("[8,10]", outputs.at("/" + output + "/shape").toString());
      assertTrue(ServingFixtures.maxAbsDiff(python.floats(output, 0, 8),
          RestClient.floats(outputs.at("/" + output + "/values"))) <= TOLERANCE, output);
    }
    assertEquals("int64", outputs.at("/classes/dtype").asText());
    assertEquals(boxed(python.longs("classes", 0, 8)),
        boxed(RestClient.integers(outputs.at("/classes/values"))));
  }

  private Map<String, PrometheusText.Family> scrape(RestClient rest) {
    RestClient.Reply reply = rest.get(METRICS_PATH);
    assertEquals(200, reply.status(), reply.body());
    return PrometheusText.parse(reply.body());
  }

  private static double counted(Map<String, PrometheusText.Family> metrics, String model,
      String status) {
    return PrometheusText.value(metrics, ServingMetrics.REQUEST_COUNT,
        ServingMetrics.REQUEST_COUNT, Map.of("model_name", model, "status", status));
  }

  private static double queued(Map<String, PrometheusText.Family> metrics) {
    return PrometheusText.value(metrics, ServingMetrics.BATCH_QUEUING_LATENCY,
        ServingMetrics.BATCH_QUEUING_LATENCY + "_count", Map.of("thread_pool_name", BATCH_POOL));
  }

  private static List<Long> boxed(long[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static List<String> sorted(Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list.stream().sorted().toList();
  }
}
