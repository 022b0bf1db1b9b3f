package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tfrnn.serve.ServingFixtures.CLASSES;
import static org.tfrnn.serve.ServingFixtures.KERAS_LSTM;
import static org.tfrnn.serve.ServingFixtures.STATIC_LSTM;
import static org.tfrnn.serve.ServingFixtures.maxAbsDiff;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.inference.Predictor;
import org.tfrnn.tensors.NdValue;

/**
 * TensorFlow Serving's REST API over real HTTP on loopback, answers checked against Python
 * TensorFlow's recorded outputs for the same images (and against the Predictor library): a TF1
 * notebook graph (three outputs) and a Keras 3 export (one output, its own key names).
 */
class ModelServerHttpTest {
  private static final double TOLERANCE = 1e-5;
  private static final long REQUEST_LIMIT = 1 << 20;

  @TempDir
  static Path temp;
  private static ModelServer tf1Server;
  private static ModelServer kerasServer;
  private static RestClient tf1;
  private static RestClient keras;
  private static ServingFixtures.Expected tf1Expected;
  private static ServingFixtures.Expected kerasExpected;

  @BeforeAll
  static void startServers() throws IOException {
    Path tf1Base = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(STATIC_LSTM, tf1Base, 1);
    Files.createDirectories(tf1Base.resolve("not-a-version")); // ignored, as TF Serving does
    tf1Server = ModelServer.start(ServerConfig.of("mnist", tf1Base).withPort(0)
        .withMaxRequestBytes(REQUEST_LIMIT));
    tf1 = new RestClient(tf1Server);
    tf1Expected = ServingFixtures.expected(STATIC_LSTM);

    Path kerasBase = Files.createDirectories(temp.resolve("keras"));
    ServingFixtures.publishVersion(KERAS_LSTM, kerasBase, 3);
    kerasServer = ModelServer.start(ServerConfig.of("keras", kerasBase).withPort(0));
    keras = new RestClient(kerasServer);
    kerasExpected = ServingFixtures.expected(KERAS_LSTM);
  }

  @AfterAll
  static void stopServers() {
    if (tf1Server != null) {
      tf1Server.stop();
    }
    if (kerasServer != null) {
      kerasServer.stop();
    }
  }

  @Test
  void statusReportsTheServedVersion() throws IOException {
    String available = "{\"model_version_status\":[{\"version\":\"1\",\"state\":\"AVAILABLE\","
        + "\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]}";
    RestClient.Reply all = tf1.get("/v1/models/mnist");
    assertEquals(200, all.status());
    assertEquals("application/json", all.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(RestClient.JSON.readTree(available), all.json());
    assertEquals(RestClient.JSON.readTree(available), tf1.get("/v1/models/mnist/versions/1")
        .json());
    assertEquals(200, tf1.get("/V1/Models/mnist").status()); // paths match case-insensitively
    assertEquals(1, tf1Server.servedVersion());
  }

  @Test
  void metadataDescribesTheSignaturesAsPythonWroteThem() throws IOException {
    for (String path : List.of("/v1/models/mnist/metadata", "/v1/models/mnist/versions/1/metadata")) {
      RestClient.Reply reply = tf1.get(path);
      assertEquals(200, reply.status(), reply.body());
      assertMetadataMatchesFixture(reply.json(), "mnist", "1", STATIC_LSTM);
    }
    assertMetadataMatchesFixture(keras.get("/v1/models/keras/metadata").json(), "keras", "3",
        KERAS_LSTM);
  }

  /** Compares the metadata with the signature Python recorded in expected/fixture.json. */
  private static void assertMetadataMatchesFixture(JsonNode metadata, String name,
      String version, String fixture) throws IOException {
    JsonNode python = RestClient.JSON.readTree(ServingFixtures.SAVED_MODELS.resolve(fixture)
        .resolve("expected/fixture.json").toFile());
    assertEquals(RestClient.JSON.readTree("{\"name\":\"" + name + "\",\"signature_name\":\"\","
        + "\"version\":\"" + version + "\"}"), metadata.get("model_spec"));
    JsonNode signature = metadata.at("/metadata/signature_def/signature_def/"
        + python.get("signature").asText());
    assertFalse(signature.isMissingNode(), metadata.toString());
    assertEquals(python.get("method_name").asText(), signature.get("method_name").asText());
    for (String side : List.of("inputs", "outputs")) {
      JsonNode expected = python.get(side);
      JsonNode actual = signature.get(side);
      assertEquals(expected.size(), actual.size(), side);
      for (Iterator<String> keys = expected.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        JsonNode want = expected.get(key);
        JsonNode got = actual.get(key);
        assertEquals("DT_" + switch (want.get("dtype").asText()) {
          case "float32" -> "FLOAT";
          case "int64" -> "INT64";
          default -> throw new AssertionError(want);
        }, got.get("dtype").asText(), key);
        assertEquals(want.get("tensor").asText(), got.get("name").asText(), key);
        assertFalse(got.at("/tensor_shape/unknown_rank").asBoolean(), key);
        JsonNode dims = got.at("/tensor_shape/dim");
        assertEquals(want.get("shape").size(), dims.size(), key);
        for (int i = 0; i < dims.size(); i++) {
          // int64 fields are strings in protobuf's JSON, as TensorFlow Serving writes them
          assertEquals(want.get("shape").get(i).asText(), dims.get(i).get("size").textValue());
        }
      }
    }
  }

  @Test
  void rowFormatAnswersAsPythonTensorFlow() {
    RestClient.Reply reply = tf1.post("/v1/models/mnist:predict",
        RestClient.rows(tf1Expected.images()));
    assertEquals(200, reply.status(), reply.body());
    assertTf1Rows(reply.json().get("predictions"), 0, tf1Expected.count());
  }

  @Test
  void rowFormatWithInputsByNameAndAVersionInThePath() {
    RestClient.Reply reply = tf1.post("/v1/models/mnist/versions/1:predict",
        RestClient.rowsOfObjects("x", tf1Expected.images(10, 7)));
    assertEquals(200, reply.status(), reply.body());
    assertTf1Rows(reply.json().get("predictions"), 10, 7);
  }

  /** {@code predictions}: one object per image, keyed by output; classes as JSON integers. */
  private static void assertTf1Rows(JsonNode predictions, int from, int n) {
    assertEquals(n, predictions.size());
    assertArrayEquals(tf1Expected.longs("classes", from, n),
        RestClient.integers(RestClient.field(predictions, "classes")));
    assertTrue(maxAbsDiff(tf1Expected.floats("logits", from, n),
        RestClient.floats(RestClient.field(predictions, "logits"))) <= TOLERANCE);
    assertTrue(maxAbsDiff(tf1Expected.floats("probabilities", from, n),
        RestClient.floats(RestClient.field(predictions, "probabilities"))) <= TOLERANCE);
  }

  @Test
  void columnarFormatAnswersAsPythonTensorFlow() {
    for (String request : List.of(RestClient.columns("x", tf1Expected.images(0, 25)),
        RestClient.columns(null, tf1Expected.images(0, 25)))) {
      RestClient.Reply reply = tf1.post("/v1/models/mnist:predict", request);
      assertEquals(200, reply.status(), reply.body());
      JsonNode outputs = reply.json().get("outputs");
      assertArrayEquals(tf1Expected.longs("classes", 0, 25),
          RestClient.integers(outputs.get("classes")));
      assertEquals(25, outputs.get("logits").size());
      assertEquals(CLASSES, outputs.get("logits").get(0).size());
      assertTrue(maxAbsDiff(tf1Expected.floats("logits", 0, 25),
          RestClient.floats(outputs.get("logits"))) <= TOLERANCE);
      assertTrue(maxAbsDiff(tf1Expected.floats("probabilities", 0, 25),
          RestClient.floats(outputs.get("probabilities"))) <= TOLERANCE);
    }
  }

  @Test
  void httpAnswersEqualThePredictorLibraryExactly() throws IOException {
    float[] images = tf1Expected.images();
    Map<String, NdValue> direct;
    try (Predictor predictor = Predictor.open(ServingFixtures.SAVED_MODELS.resolve(STATIC_LSTM))) {
      direct = predictor.predict(null, Map.of("x",
          NdValue.ofFloats(images, tf1Expected.count(), 28, 28)));
    }
    JsonNode outputs = tf1.post("/v1/models/mnist:predict", RestClient.columns("x", images))
        .json().get("outputs");
    // JSON carries each float as the shortest decimal that reads back as the same float.
    assertArrayEquals(direct.get("logits").floats(), RestClient.floats(outputs.get("logits")));
    assertArrayEquals(direct.get("probabilities").floats(),
        RestClient.floats(outputs.get("probabilities")));
    assertArrayEquals(direct.get("classes").longs(), RestClient.integers(outputs.get("classes")));
  }

  @Test
  void kerasExportAnswersAsPythonTensorFlow() {
    // One output: predictions are the output's rows themselves, not objects keyed by output.
    RestClient.Reply rows = keras.post("/v1/models/keras:predict",
        RestClient.rows(kerasExpected.images()));
    assertEquals(200, rows.status(), rows.body());
    JsonNode predictions = rows.json().get("predictions");
    assertEquals(kerasExpected.count(), predictions.size());
    assertTrue(predictions.get(0).isArray());
    assertTrue(maxAbsDiff(kerasExpected.floats("output_0", 0, kerasExpected.count()),
        RestClient.floats(predictions)) <= TOLERANCE);

    RestClient.Reply columns = keras.post("/v1/models/keras/versions/3:predict",
        "{\"signature_name\": \"serving_default\", "
            + RestClient.columns("keras_tensor", kerasExpected.images(40, 9)).substring(1));
    assertEquals(200, columns.status(), columns.body());
    assertTrue(maxAbsDiff(kerasExpected.floats("output_0", 40, 9),
        RestClient.floats(columns.json().get("outputs"))) <= TOLERANCE);
  }

  // ---- errors: the right status, an {"error": ...} body, and the server still serving ----

  private static void assertError(RestClient.Reply reply, int status, String messagePart) {
    assertEquals(status, reply.status(), reply.body());
    assertEquals("application/json", reply.headers().firstValue("Content-Type").orElseThrow());
    String error = reply.error();
    assertTrue(error.contains(messagePart), "expected '" + messagePart + "' in: " + error);
    assertFalse(reply.body().contains("\\tat ") || reply.body().contains("Exception"),
        "no stack trace or exception names for the client: " + reply.body());
    assertStillServes();
  }

  private static void assertStillServes() {
    RestClient.Reply reply = tf1.post("/v1/models/mnist:predict",
        RestClient.rows(tf1Expected.images(3, 2)));
    assertEquals(200, reply.status(), reply.body());
    assertTf1Rows(reply.json().get("predictions"), 3, 2);
  }

  @Test
  void malformedJsonIs400() {
    assertError(tf1.post("/v1/models/mnist:predict", "{\"instances\": [[[0.5, 1]"), 400,
        "malformed JSON");
    assertError(tf1.post("/v1/models/mnist:predict", ""), 400, "empty");
    assertError(tf1.post("/v1/models/mnist:predict", "[1, 2]"), 400, "must be a JSON object");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"examples\": []}"), 400,
        "missing \"instances\" or \"inputs\"");
  }

  @Test
  void wrongShapeIs400() {
    float[] image = tf1Expected.images(0, 1);
    String shortRows = RestClient.rows(image).replaceFirst(", 0\\.0\\]", "]");
    assertError(tf1.post("/v1/models/mnist:predict", shortRows), 400, "is ragged");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"instances\": [[[1, 2], [3, 4]]]}"), 400,
        "input 'x' must have shape float32[-1,28,28], got shape [1,2,2]");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"inputs\": [1, 2]}"), 400,
        "(rank 3), got shape [2] (rank 1)");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"instances\": []}"), 400, "empty list");
  }

  @Test
  void wrongDtypeIs400() {
    assertError(tf1.post("/v1/models/mnist:predict", "{\"inputs\": [[[\"0.5\"]]]}"), 400,
        "'inputs'[0][0][0]: \"0.5\" is a string");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"inputs\": [[[true]]]}"), 400,
        "true is a boolean; input 'x' takes float32 values");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"inputs\": [[[null]]]}"), 400,
        "null is not a tensor value");
  }

  @Test
  void unknownSignatureOrInputIs400() {
    String images = RestClient.rows(tf1Expected.images(0, 1)).substring(1);
    assertError(tf1.post("/v1/models/mnist:predict", "{\"signature_name\": \"classify\", "
        + images), 400, "signature 'classify' not found; this model has [serving_default]");
    assertError(tf1.post("/v1/models/mnist:predict",
        RestClient.rowsOfObjects("images", tf1Expected.images(0, 1))), 400,
        "signature 'serving_default' has no input 'images'; its inputs are [x]");
    assertError(tf1.post("/v1/models/mnist:predict", "{\"inputs\": {}}"), 400,
        "missing input 'x'");
  }

  @Test
  void unknownModelOrVersionIs404() {
    String images = RestClient.rows(tf1Expected.images(0, 1));
    assertError(tf1.post("/v1/models/other:predict", images), 404,
        "Servable not found for request: Latest(other)");
    assertError(tf1.post("/v1/models/mnist/versions/2:predict", images), 404,
        "Servable not found for request: Specific(mnist, 2)");
    assertError(tf1.get("/v1/models/other"), 404, "Could not find any versions of model other");
    assertError(tf1.get("/v1/models/mnist/versions/2"), 404, "Could not find version 2");
    assertError(tf1.get("/v1/models/mnist/versions/2/metadata"), 404, "Specific(mnist, 2)");
    assertError(tf1.get("/v1/models/other/metadata"), 404, "other");
    assertError(tf1.get("/v2/models/mnist"), 404, "no such endpoint");
    assertError(tf1.get("/"), 404, "no such endpoint");
  }

  @Test
  void oversizedBodyIs413BeforeItIsRead() {
    StringBuilder big = new StringBuilder("{\"inputs\": [");
    while (big.length() <= REQUEST_LIMIT) {
      big.append("0.123456789, ");
    }
    big.append("0]}");
    RestClient.Reply reply = tf1.post("/v1/models/mnist:predict", big.toString());
    assertError(reply, 413, "over this server's limit of " + REQUEST_LIMIT + " bytes");
    assertEquals("close", reply.headers().firstValue("Connection").orElse(""));
  }

  @Test
  void wrongMethodIs405() {
    RestClient.Reply getPredict = tf1.get("/v1/models/mnist:predict");
    assertError(getPredict, 405, "method GET is not allowed");
    assertEquals("POST", getPredict.headers().firstValue("Allow").orElseThrow());
    RestClient.Reply postStatus = tf1.post("/v1/models/mnist", "{}");
    assertError(postStatus, 405, "method POST is not allowed");
    assertEquals("GET", postStatus.headers().firstValue("Allow").orElseThrow());
    assertError(tf1.send("DELETE", "/v1/models/mnist/metadata", null), 405, "DELETE");
  }

  @Test
  void classifyAndRegressRefuseAPredictSignature() {
    assertError(tf1.post("/v1/models/mnist:classify", "{\"examples\": [{}]}"), 400,
        "Expected classification signature method_name to be tensorflow/serving/classify. Was: "
            + "tensorflow/serving/predict");
    assertError(tf1.post("/v1/models/mnist:regress", "{\"examples\": [{}]}"), 400,
        "Expected regression signature method_name to be tensorflow/serving/regress. Was: "
            + "tensorflow/serving/predict");
  }
}
