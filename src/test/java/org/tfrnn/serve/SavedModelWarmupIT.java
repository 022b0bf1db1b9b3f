package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.inference.VersionPolicy;
import org.tfrnn.inference.VersionStatus;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.interop.PythonProcess;
import org.tfrnn.metrics.PrometheusText;
import org.tfrnn.metrics.ServingMetrics;

/**
 * SavedModel warm-up with files written by Python TensorFlow the way TensorFlow Serving's
 * documentation writes them (python/write_warmup_requests.py: {@code tf.io.TFRecordWriter} of
 * {@code PredictionLog}s): the predict records run before the version is reported loaded, the
 * classify record is skipped, and a corrupt or truncated file or a failing request fails the load
 * with one line naming the file and the record.
 */
class SavedModelWarmupIT {
  private static final String MODEL = "half";

  @TempDir
  static Path written;
  private static JsonNode layout;

  @TempDir
  Path temp;

  @BeforeAll
  static void writeWarmupFilesWithPython() throws Exception {
    PythonProcess.Outcome outcome = PythonProcess.run("write_warmup_requests.py",
        "--model", MODEL, "--out", written.toString());
    assertEquals(0, outcome.exitCode(), outcome.describe());
    layout = RestClient.JSON.readTree(outcome.lastLine());
  }

  /** A half_plus_two version under {@code base} carrying the named warm-up file (or none). */
  private static Path versionWith(Path base, String warmupFile) throws IOException {
    Path version = HalfPlusTwoModel.export(base);
    if (warmupFile != null) {
      Path extra = Files.createDirectories(version.resolve(SavedModelWarmup.ASSETS_EXTRA));
      Files.copy(written.resolve(warmupFile), extra.resolve(SavedModelWarmup.REQUESTS_FILE));
    }
    return version;
  }

  private static ServerListener recording(List<String> events, ServingMetrics metrics) {
    return new ServerListener() {
      @Override
      public void versionWarmedUp(String model, long version, Path file, int records,
          int skipped, Duration time) {
        events.add("warmed up " + version + ": " + records + " records, " + skipped
            + " skipped, " + runtimeCount(metrics) + " runs");
      }

      @Override
      public void versionLoaded(String model, long version, Path dir, Duration took) {
        events.add("loaded " + version);
      }
    };
  }

  private static double runtimeCount(ServingMetrics metrics) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      metrics.writeText(out);
      return PrometheusText.value(PrometheusText.parse(out.toString()),
          ServingMetrics.RUNTIME_LATENCY, ServingMetrics.RUNTIME_LATENCY + "_count",
          Map.of("model_name", MODEL, "API", "Predict", "runtime", "TF1"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void predictRecordsRunBeforeTheVersionIsLoaded() throws IOException {
    assertEquals(4, layout.get("good").get("records").asInt());
    Path base = temp.resolve(MODEL);
    versionWith(base, "good");
    for (int iterations : new int[] {1, 2}) {
      ServingMetrics metrics = new ServingMetrics();
      List<String> events = new ArrayList<>();
      try (VersionedModel model = VersionedModel.open(MODEL, base, VersionPolicy.LATEST_ONE,
          Map.of(), recording(events, metrics),
          new SavedModelWarmup(metrics, recording(events, metrics), iterations))) {
        // Three predict records ran (each `iterations` times) before "loaded"; the classify
        // record was read and skipped.
        assertEquals(List.of("warmed up 1: 4 records, 1 skipped, " + (3.0 * iterations)
            + " runs", "loaded 1"), events);
        assertEquals(List.of(VersionStatus.available(1)), model.statuses());
      }
    }
  }

  @Test
  void theServerWarmsUpBeforeItAnswers() throws IOException {
    Path base = temp.resolve(MODEL);
    versionWith(base, "good");
    try (ModelServer server = ModelServer.start(ServerConfig.builder(MODEL, base).port(0)
        .build())) {
      // No request yet: the three runs are the warm-up's.
      assertEquals(3.0, runtimeCount(server.metrics()));
      assertEquals(List.of(VersionStatus.available(1)), server.versionStatuses());
    }
  }

  @Test
  void aCorruptFileFailsTheLoadNamingFileAndRecord() throws IOException {
    Path base = temp.resolve(MODEL);
    Path version = versionWith(base, "good");
    Path file = version.resolve(SavedModelWarmup.ASSETS_EXTRA)
        .resolve(SavedModelWarmup.REQUESTS_FILE);
    long second = layout.get("good").get("offsets").get(1).asLong();
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) second + 12 + 3] ^= 0x40; // a byte of record 2's data
    Files.write(file, bytes);
    IOException e = assertThrows(IOException.class,
        () -> ModelServer.start(ServerConfig.builder(MODEL, base).port(0).build()));
    assertOneLine(e, file + ", record 2: corrupted record at " + second
        + " (data checksum mismatch); please verify your warmup data is in TFRecord format");

    long third = layout.get("good").get("offsets").get(2).asLong();
    Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(
        written.resolve("good")), (int) third + 5));
    e = assertThrows(IOException.class,
        () -> ModelServer.start(ServerConfig.builder(MODEL, base).port(0).build()));
    assertOneLine(e, file + ", record 3: truncated record at " + third);
  }

  @Test
  void aFailingRequestFailsThatVersionAndTheServerKeepsTheOldOne() throws IOException {
    Path base = temp.resolve(MODEL);
    versionWith(base, null);
    try (ModelServer server = ModelServer.start(ServerConfig.builder(MODEL, base).port(0)
        .build())) {
      Path version2 = versionWith(base, "bad");
      assertFalse(server.checkForNewVersion());
      assertEquals(1, server.servedVersion());
      VersionStatus failed = server.versionStatuses().stream()
          .filter(s -> s.version() == 2).findFirst().orElseThrow();
      long second = layout.get("bad").get("offsets").get(1).asLong();
      String message = failed.errorMessage();
      assertTrue(message.startsWith("warm-up file " + version2.resolve(
          SavedModelWarmup.ASSETS_EXTRA).resolve(SavedModelWarmup.REQUESTS_FILE)
          + ", record 2 (offset " + second + "): signature 'serving_default' has no input 'z'"),
          message);
      assertFalse(message.contains("\n"), message);
    }
  }

  private static void assertOneLine(IOException e, String expectedPart) {
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
