package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfrnn.interop.PythonProcess;

/**
 * TensorFlow Serving's own Python client ({@code tensorflow-serving-api}, python/requirements.txt)
 * against our gRPC server: GetModelStatus, GetModelMetadata and Predict, whose answers must equal
 * the same SavedModel run by Python TensorFlow within 1e-6, and TensorFlow Serving's status codes
 * for requests that must fail (python/serving_grpc_client.py does the calls).
 */
class GrpcPythonClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path temp;

  @ParameterizedTest
  @ValueSource(strings = {ServingFixtures.STATIC_LSTM, ServingFixtures.KERAS_LSTM})
  void pythonClientGetsPythonsAnswers(String fixture) throws Exception {
    Path base = Files.createDirectories(temp.resolve("model"));
    ServingFixtures.publishVersion(fixture, base, 7);
    JsonNode python = JSON.readTree(ServingFixtures.SAVED_MODELS.resolve(fixture)
        .resolve("expected/fixture.json").toFile());
    try (ModelServer server = ModelServer.start(ServerConfig.of("mnist", base).withPort(0));
        GrpcServer grpc = GrpcServer.start(server, 0)) {
      PythonProcess.Outcome outcome = PythonProcess.run("serving_grpc_client.py",
          "--target", "127.0.0.1:" + grpc.port(), "--model", "mnist", "--version", "7",
          "--saved-model", ServingFixtures.SAVED_MODELS.resolve(fixture).toString(),
          "--inputs", ServingFixtures.SAVED_MODELS.resolve(fixture)
              .resolve("expected/inputs.npy").toString(),
          "--count", "8");
      assertEquals(0, outcome.exitCode(), outcome.describe());
      JsonNode result = JSON.readTree(outcome.lastLine());

      assertEquals(JSON.readTree("{\"model_version_status\":[{\"version\":\"7\","
          + "\"state\":\"AVAILABLE\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]}"),
          result.get("status"));

      assertEquals("mnist", result.at("/metadata_model_spec/name").asText());
      assertEquals("7", result.at("/metadata_model_spec/version").asText());
      JsonNode signature = result.at("/signatures/serving_default");
      assertEquals(python.get("method_name").asText(), signature.get("method_name").asText());
      for (String side : List.of("inputs", "outputs")) {
        JsonNode want = python.get(side);
        JsonNode got = signature.get(side);
        assertEquals(want.size(), got.size(), side);
        want.fields().forEachRemaining(field -> {
          JsonNode info = got.get(field.getKey());
          assertEquals(field.getValue().get("dtype").asText(), info.get("dtype").asText());
          assertEquals(field.getValue().get("tensor").asText(), info.get("name").asText());
          assertEquals(field.getValue().get("shape"), info.get("shape"));
        });
      }

      assertEquals("7", result.at("/predict_model_spec/version").asText());
      assertEquals("serving_default", result.at("/predict_model_spec/signature_name").asText());
      JsonNode predict = result.get("predict");
      assertEquals(python.get("output_keys").size(), predict.size(), predict.toString());
      for (Map.Entry<String, JsonNode> output : (Iterable<Map.Entry<String, JsonNode>>)
          predict::fields) {
        JsonNode o = output.getValue();
        assertEquals(o.get("python_dtype"), o.get("dtype"), output.getKey());
        assertEquals(o.get("python_shape"), o.get("shape"), output.getKey());
        assertEquals(8, o.get("shape").get(0).asInt(), output.getKey());
        assertTrue(o.get("max_abs_diff").asDouble() <= 1e-6, output.getKey() + ": " + o);
      }
      assertEquals(1, result.get("filtered_outputs").size());
      assertTrue(result.get("filtered_equal").asBoolean());

      assertEquals(JSON.readTree("{\"unknown_model\":\"NOT_FOUND\",\"unknown_version\":"
          + "\"NOT_FOUND\",\"unknown_signature\":\"FAILED_PRECONDITION\",\"unknown_input\":"
          + "\"INVALID_ARGUMENT\",\"wrong_dtype\":\"INVALID_ARGUMENT\",\"unknown_output\":"
          + "\"INVALID_ARGUMENT\",\"classify\":\"INVALID_ARGUMENT\",\"status_unknown_model\":"
          + "\"NOT_FOUND\"}"), result.get("errors"));
    }
  }
}
