package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tfrnn.serve.ServingFixtures.KERAS_LSTM;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorFlow Serving's own REST handler cases ({@code tensorflow_serving/model_servers/
 * http_rest_api_handler_test.cc}) run over HTTP against our server, serving {@link
 * HalfPlusTwoModel} as version 123 as theirs serves {@code saved_model_half_plus_two}; the
 * expected answers are theirs. Added: the cases where we disagreed with TensorFlow Serving
 * (issue 11) and string tensors.
 *
 * <p>Elsewhere: {@code Regress} and {@code Classify} (in {@link GrpcClassifyRegressIT}, whose
 * Python-written model has their {@code regress_x_to_y} and {@code classify_x_to_y} signatures).
 * Left out: everything with version labels
 * ({@code /labels/...}, served by the model config work), and {@code kPathRegex} (a detail of
 * their router). Where a case is kept but our status differs on purpose (404/405 where TensorFlow
 * Serving answers every malformed path with 400), the test says so.
 */
class TfServingRestApiCasesTest {
  private static final String MODEL = "half_plus_two";
  private static final String PREDICT = "/v1/models/" + MODEL + ":predict";

  @TempDir
  static Path temp;
  private static ModelServer server;
  private static ModelServer kerasServer;
  private static RestClient rest;
  private static RestClient keras;

  @BeforeAll
  static void start() throws IOException {
    Path base = Files.createDirectories(temp.resolve(MODEL));
    Files.move(HalfPlusTwoModel.export(base), base.resolve("123"));
    server = ModelServer.start(ServerConfig.of(MODEL, base).withPort(0));
    rest = new RestClient(server);
    Path kerasBase = Files.createDirectories(temp.resolve("keras"));
    ServingFixtures.publishVersion(KERAS_LSTM, kerasBase, 1);
    kerasServer = ModelServer.start(ServerConfig.of("keras", kerasBase).withPort(0));
    keras = new RestClient(kerasServer);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    if (kerasServer != null) {
      kerasServer.stop();
    }
  }

  private static JsonNode json(String text) throws IOException {
    return RestClient.JSON.readTree(text);
  }

  private static void assertOk(String expectedJson, RestClient.Reply reply) throws IOException {
    assertEquals(200, reply.status(), reply.body());
    assertEquals("application/json", reply.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(json(expectedJson), reply.json());
  }

  private static void assertError(int status, String part, RestClient.Reply reply) {
    assertEquals(status, reply.status(), reply.body());
    assertTrue(reply.error().contains(part), reply.error());
  }

  // --- http_rest_api_handler_test.cc ---

  @Test
  void predict() throws IOException {
    assertOk("{ \"predictions\": [[2.5, 3.0], [3.5, 4.0]] }",
        rest.post(PREDICT, "{\"instances\": [[1.0, 2.0], [3.0, 4.0]]}"));
    String version = "/v1/models/" + MODEL + "/versions/123:predict";
    assertOk("{ \"predictions\": [2.5, 3.0] }", rest.post(version, "{\"instances\": [1.0, 2.0]}"));
    assertOk("{ \"predictions\": [3.5, 4.0] }", rest.post(version,
        "{\"signature_name\": \"serving_default\", \"instances\": [3.0, 4.0]}"));
    assertOk("{ \"outputs\": [3.5, 4.0] }", rest.post(version,
        "{\"signature_name\": \"serving_default\", \"inputs\": [3.0, 4.0]}"));
  }

  @Test
  void predictModelNameVersionErrors() {
    assertEquals(404, rest.post("/v1/models/foo:predict", "{ \"instances\": [1] }").status());
    assertEquals(404, rest.post("/v1/models/foo/versions/50:predict", "{ \"instances\": [1] }")
        .status());
    assertEquals(404, rest.post("/v1/models/" + MODEL + "99:predict", "{ \"instances\": [1] }")
        .status());
    assertEquals(404, rest.post("/v1/models/" + MODEL + "/versions/99:predict",
        "{ \"instances\": [1] }").status());
  }

  @Test
  void predictRequestErrors() {
    // Their messages: "JSON Parse error: The document is empty" / "Invalid value" / "not of
    // expected type: float" / "'signature_name' key must be a string value."
    assertError(400, "empty", rest.post(PREDICT, ""));
    assertError(400, "malformed JSON", rest.post(PREDICT, "instances = [1, 2]"));
    assertError(400, "takes float32 values", rest.post(PREDICT, "{ \"instances\": [\"x\", \"y\"] }"));
    assertError(400, "\"signature_name\" must be a string",
        rest.post(PREDICT, "{ \"signature_name\": 100 }"));
  }

  @Test
  void unsupportedApiCalls() {
    // TensorFlow Serving: 400 "Malformed request" for each; ours: 404 for a path that is no
    // endpoint, 405 for a wrong method (with Allow), on purpose.
    assertEquals(404, rest.get("/v1/foo").status());
    assertEquals(404, rest.post("/v1/foo", "").status());
    assertEquals(404, rest.get("/v1/models").status());
    assertEquals(404, rest.get("/v1/models/debug/model_name").status());
    assertEquals(404, rest.post("/v1/models", "").status());
    assertEquals(405, rest.get("/v1/models/foo:predict").status());
    assertEquals(404, rest.get("/v1/models/foo/version/50:predict").status());
    assertEquals(404, rest.post("/v1/models/foo/version/50:regress", "").status());
    assertEquals(404, rest.post("/v1/models/foo/versions/HELLO:regress", "").status());
    assertError(400, "Failed to convert version",
        rest.post("/v1/models/foo/versions/18446744073709551615:regress", ""));
    assertEquals(405, rest.post("/v1/models/foo/metadata", "").status());
    assertEquals(404, rest.post("/v1/models/foo/versions/some_label:regress", "").status());
  }

  @Test
  void getStatus() throws IOException {
    String available = "{\"model_version_status\": [{\"version\": \"123\", \"state\": "
        + "\"AVAILABLE\", \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}";
    assertOk(available, rest.get("/v1/models/" + MODEL));
    assertOk(available, rest.get("/v1/models/" + MODEL + "/versions/123"));
  }

  /** Their golden file's form, for the signatures {@link HalfPlusTwoModel} declares. */
  @Test
  void getModelMetadataListsEverySignature() throws IOException {
    String unknownShape = "\"tensor_shape\": {\"dim\": [], \"unknown_rank\": true}";
    String predict = "\"method_name\": \"tensorflow/serving/predict\", \"defaults\": {}";
    String expected = "{\"model_spec\": {\"name\": \"half_plus_two\", \"signature_name\": \"\", "
        + "\"version\": \"123\"}, \"metadata\": {\"signature_def\": {\"signature_def\": {"
        + "\"half\": {\"inputs\": {\"x\": {\"dtype\": \"DT_FLOAT\", " + unknownShape
        + ", \"name\": \"x:0\"}}, \"outputs\": {\"y\": {\"dtype\": \"DT_HALF\", " + unknownShape
        + ", \"name\": \"y_half:0\"}}, " + predict + "},"
        + "\"serving_default\": {\"inputs\": {\"x\": {\"dtype\": \"DT_FLOAT\", " + unknownShape
        + ", \"name\": \"x:0\"}}, \"outputs\": {\"y\": {\"dtype\": \"DT_FLOAT\", " + unknownShape
        + ", \"name\": \"y:0\"}}, " + predict + "},"
        + "\"strings\": {\"inputs\": {\"text\": {\"dtype\": \"DT_STRING\", " + unknownShape
        + ", \"name\": \"text:0\"}}, \"outputs\": {"
        + "\"length\": {\"dtype\": \"DT_INT32\", " + unknownShape + ", \"name\": \"length:0\"}, "
        + "\"text_bytes\": {\"dtype\": \"DT_STRING\", " + unknownShape
        + ", \"name\": \"text_bytes:0\"}, "
        + "\"upper\": {\"dtype\": \"DT_STRING\", " + unknownShape + ", \"name\": \"upper:0\"}}, "
        + predict + "}}}}}";
    assertOk(expected, rest.get("/v1/models/" + MODEL + "/metadata"));
  }

  /**
   * A Keras export's MetaGraph has three signatures (Python lists them as
   * {@code ['__saved_model_init_op', 'serve', 'serving_default']}, the init op's output being
   * {@code name: "NoOp", tensor_shape {unknown_rank: true}}): TensorFlow Serving lists all three.
   */
  @Test
  void metadataListsInternalSignaturesAsTensorFlowServingDoes() throws IOException {
    JsonNode signatures = keras.get("/v1/models/keras/metadata").json()
        .at("/metadata/signature_def/signature_def");
    List<String> keys = new ArrayList<>();
    signatures.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("__saved_model_init_op", "serve", "serving_default"), keys);
    assertEquals(json("{\"inputs\": {}, \"outputs\": {\"__saved_model_init_op\": {\"dtype\": "
        + "\"DT_INVALID\", \"tensor_shape\": {\"dim\": [], \"unknown_rank\": true}, \"name\": "
        + "\"NoOp\"}}, \"method_name\": \"\", \"defaults\": {}}"),
        signatures.get("__saved_model_init_op"));
  }

  // --- where we disagreed (issue 11) ---

  /** json_tensor_test DeeplyNestedWellFormed, over HTTP: was a 500 from 1,000 levels on. */
  @Test
  void deeplyNestedUnusedKeyIsIgnored() throws IOException {
    for (int depth : new int[] {999, 1000, 500_000}) {
      String body = "{\"instances\": [1.0], \"nested\": " + "[".repeat(depth) + "]".repeat(depth)
          + "}";
      assertOk("{ \"predictions\": [2.5] }", rest.post(PREDICT, body));
    }
    String deepSignature = "{\"signature_name\": " + "[".repeat(500_000) + "]".repeat(500_000)
        + "}";
    assertError(400, "\"signature_name\" must be a string", rest.post(PREDICT, deepSignature));
  }

  @Test
  void floatsAreRoundedAsTensorFlowServingRoundsThem() throws IOException {
    // 1435774380 -> float 1435774336 -> y = 717887170; the double max -> Infinity.
    assertOk("{\"outputs\": [717887170.0, Infinity, -Infinity]}", rest.post(PREDICT,
        "{\"inputs\": [1435774380, 1.7976931348623157e308, -1.7976931348623157e308]}"));
    assertError(400, "Number too big to be stored in double",
        rest.post(PREDICT, "{\"inputs\": [1e400]}"));
    assertError(400, "Number too big to be stored in double",
        rest.post(PREDICT, "{\"inputs\": [1], \"ignored\": {\"a\": [-1e400]}}"));
  }

  @Test
  void outputOfADtypeJsonCannotHoldIsABadRequest() {
    assertError(400, "Failed to write JSON value for tensor type: DT_HALF",
        rest.post(PREDICT, "{\"signature_name\": \"half\", \"inputs\": [1.0]}"));
  }

  @Test
  void stringsInAndOutWithTheBytesNamingRule() throws IOException {
    byte[] binary = {(byte) 0xff, 0, 'A'};
    String b64 = Base64.getEncoder().encodeToString(binary);
    // Row format, text and base64 mixed; expected values from plain Java.
    assertOk("{\"predictions\": ["
        + "{\"length\": 5, \"text_bytes\": {\"b64\": \"" + b64("hello") + "\"}, \"upper\": "
        + "\"HELLO\"},"
        + "{\"length\": 3, \"text_bytes\": {\"b64\": \"" + b64 + "\"}, \"upper\": null}]}",
        replaceUpperOfBinary(rest.post(PREDICT, "{\"signature_name\": \"strings\", "
            + "\"instances\": [\"hello\", {\"b64\": \"" + b64 + "\"}]}")));
    assertOk("{\"outputs\": {\"length\": [[2], [10]], \"text_bytes\": [[{\"b64\": \""
        + b64("tf") + "\"}], [{\"b64\": \"" + b64("serving é") + "\"}]], "
        + "\"upper\": [[\"TF\"], [\"SERVING é\"]]}}",
        rest.post(PREDICT, "{\"signature_name\": \"strings\", "
            + "\"inputs\": [[\"tf\"], [{\"b64\": \"" + b64("serving é") + "\"}]]}"));
    // json_tensor_test SingleUnnamedTensorBase64Scalars: the instances are values, not inputs.
    assertOk("{\"predictions\": [{\"length\": 5, \"text_bytes\": {\"b64\": \"aGVsbG8=\"}, "
        + "\"upper\": \"HELLO\"}, {\"length\": 5, \"text_bytes\": {\"b64\": \"d29ybGQ=\"}, "
        + "\"upper\": \"WORLD\"}]}",
        rest.post(PREDICT, "{\"signature_name\": \"strings\", "
            + "\"instances\": [ { \"b64\" : \"aGVsbG8=\" }, { \"b64\": \"d29ybGQ=\" } ]}"));
    assertError(400, "takes string values", rest.post(PREDICT,
        "{\"signature_name\": \"strings\", \"inputs\": [\"a\", 1]}"));
    assertError(400, "base64", rest.post(PREDICT,
        "{\"signature_name\": \"strings\", \"inputs\": [{\"b64\": \"not base64!\"}]}"));
    assertError(400, "not formatted correctly for base64", rest.post(PREDICT,
        "{\"signature_name\": \"strings\", \"inputs\": [{\"b64\": \"AA==\", \"x\": 1}]}"));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The upper-cased 0xff 0x00 'A' is not UTF-8 and is written as its UTF-8 reading; replaced by
   * null so that the comparison does not depend on the replacement character.
   */
  private static RestClient.Reply replaceUpperOfBinary(RestClient.Reply reply) {
    JsonNode json = reply.json();
    JsonNode second = json.at("/predictions/1");
    assertEquals("\uFFFD\u0000A", second.get("upper").asText());
    ((com.fasterxml.jackson.databind.node.ObjectNode) second).putNull("upper");
    return new RestClient.Reply(reply.status(), json.toString(), reply.headers());
  }
}
