package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * Every SavedModel that Python TensorFlow wrote under savedmodels/ (the notebooks' TF1 graphs, a
 * Keras 3 export, and the same written by the newest TensorFlow) loads in Java, declares the
 * signature Python recorded, and gives Python's outputs for the same images. The system property
 * {@code tfrnn.fixtures} names another directory of fixtures (python/write_fixtures.py --out),
 * for the README's compatibility runs against other Python TensorFlow versions.
 */
class PythonSavedModelTest {
  static final Path FIXTURES = Path.of(System.getProperty("tfrnn.fixtures", "savedmodels"));

  static Stream<String> fixtures() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(FIXTURES)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve("expected/fixture.json")))
          .forEach(d -> names.add(d.getFileName().toString()));
    }
    assertTrue(names.size() >= 4, "expected the Python fixtures under " + FIXTURES + ": " + names);
    return names.stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void javaGivesPythonsOutputs(String name) throws IOException {
    Path dir = FIXTURES.resolve(name);
    JsonNode fixture = new ObjectMapper().readTree(dir.resolve("expected/fixture.json").toFile());
    NdValue images = Npy.read(dir.resolve("expected/inputs.npy"));

    try (Predictor predictor = Predictor.open(dir)) {
      SignatureSpec signature = predictor.signature(fixture.get("signature").asText());
      assertEquals(fixture.get("method_name").asText(), signature.methodName());
      assertSignatureMatches(fixture.get("inputs"), signature.inputs());
      assertSignatureMatches(fixture.get("outputs"), signature.outputs());

      Map<String, NdValue> outputs =
          predictor.predict(signature.key(), Map.of(fixture.get("input_key").asText(), images));
      for (String key : signature.outputs().keySet()) {
        NdValue expected = Npy.read(dir.resolve("expected/" + key + ".npy"));
        NdValue actual = outputs.get(key);
        assertArrayEquals(expected.shape(), actual.shape(), name + " " + key + " shape");
        assertEquals(expected.dtype(), actual.dtype(), name + " " + key + " dtype");
        double maxDiff = 0;
        for (int i = 0; i < expected.size(); i++) {
          maxDiff = Math.max(maxDiff, Math.abs(expected.asDouble(i) - actual.asDouble(i)));
        }
        assertTrue(maxDiff <= 1e-5, name + " " + key + ": max abs diff " + maxDiff);
      }
    }
  }

  private static void assertSignatureMatches(JsonNode recorded, Map<String, TensorSpec> loaded) {
    assertEquals(recorded.size(), loaded.size(), "tensor count");
    recorded.fields().forEachRemaining(e -> {
      TensorSpec spec = loaded.get(e.getKey());
      assertTrue(spec != null, "missing " + e.getKey());
      assertEquals(e.getValue().get("dtype").asText(), NdValue.dtypeName(spec.dtype()), e.getKey());
      JsonNode shape = e.getValue().get("shape");
      if (shape.isNull()) {
        assertTrue(!spec.rankKnown(), e.getKey() + " should have unknown rank");
      } else {
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = shape.get(i).asLong();
        }
        assertArrayEquals(dims, spec.dims(), e.getKey() + " shape");
      }
      assertEquals(e.getValue().get("tensor").asText(), spec.tensorName(), e.getKey());
    });
  }
}
