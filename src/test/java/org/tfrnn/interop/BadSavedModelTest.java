package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TensorFlowException;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * A corrupt or missing SavedModel, a missing signature, a wrong input key, dtype or shape: each is
 * one clear Java exception, and the JVM (and the loaded model) carry on.
 */
class BadSavedModelTest {
  private static final Path MODEL = Path.of("savedmodels/py-static-lstm");

  @Test
  void missingDirectory(@TempDir Path tmp) {
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void directoryWithoutAModel(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("README"), "not a model");
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp));
    assertTrue(e.getMessage().contains("saved_model.pb"), e.getMessage());
  }

  @Test
  void corruptGraphFile(@TempDir Path tmp) throws IOException {
    copyModel(tmp);
    Files.write(tmp.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5, 6, 7});
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp));
    // TensorFlow's loader refused it: its words follow ours, and its exception is the cause.
    assertTrue(e.getMessage().startsWith("cannot load the SavedModel at " + tmp + ": "),
        e.getMessage());
    assertInstanceOf(TensorFlowException.class, e.getCause(), e.getMessage());
  }

  @Test
  void emptyGraphFileIsSaidToBeEmpty(@TempDir Path tmp) throws IOException {
    copyModel(tmp);
    Files.write(tmp.resolve("saved_model.pb"), new byte[0]);
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp));
    assertEquals("cannot load the SavedModel at " + tmp + ": saved_model.pb is empty (0 bytes)",
        e.getMessage());
  }

  @Test
  void truncatedVariablesDataIsNamedBeforeTensorFlowReadsIt(@TempDir Path tmp) throws IOException {
    copyModel(tmp);
    Path data = tmp.resolve("variables").resolve("variables.data-00000-of-00001");
    long whole = Files.size(data); // TensorFlow writes a shard's tensors back to back
    try (var channel = java.nio.channels.FileChannel.open(data,
        java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(1000);
    }
    String expected = "cannot load the SavedModel at " + tmp + ": " + data
        + " is truncated: it has 1000 bytes, the index needs " + whole;
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp));
    assertEquals(expected, e.getMessage());
    assertNull(e.getCause(), "refused by our check, before TensorFlow's loader ran");

    Files.delete(data);
    IOException missing = assertThrows(IOException.class, () -> Predictor.open(tmp));
    assertEquals("cannot load the SavedModel at " + tmp + ": " + data
        + " is missing: the checkpoint index names it", missing.getMessage());
  }

  @Test
  void missingVariables(@TempDir Path tmp) throws IOException {
    copyModel(tmp);
    try (var files = Files.list(tmp.resolve("variables"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    IOException e = assertThrows(IOException.class, () -> Predictor.open(tmp));
    // Our own check before TensorFlow's loader (which would load it and fail at the first read).
    assertEquals("cannot load the SavedModel at " + tmp + ": its graph has variables but "
        + tmp.resolve("variables").resolve("variables.index") + " is missing", e.getMessage());
    assertNull(e.getCause());
  }

  @Test
  void badRequestsAreExceptionsAndTheModelStillServes() throws IOException {
    NdValue images = Npy.read(MODEL.resolve("expected/inputs.npy"));
    try (Predictor predictor = Predictor.open(MODEL)) {
      assertMessage("signature 'nope' not found",
          () -> predictor.predict("nope", Map.of("x", images)));
      assertMessage("has no input 'images'",
          () -> predictor.predict(null, Map.of("images", images)));
      assertMessage("missing input 'x'", () -> predictor.predict(null, Map.of()));
      assertMessage("must have shape float32[-1,28,28]", () -> predictor.predict(null,
          Map.of("x", NdValue.ofFloats(new float[2 * 28 * 27], 2, 28, 27))));
      assertMessage("(rank 3), got shape [784] (rank 1)", () -> predictor.predict(null,
          Map.of("x", NdValue.ofFloats(new float[784], 784))));
      assertMessage("must be float32, got int32", () -> predictor.predict(null,
          Map.of("x", NdValue.ofInts(new int[28 * 28], 1, 28, 28))));
      assertMessage("has no output 'scores'", () -> predictor.predict(null,
          Map.of("x", images), java.util.List.of("scores")));

      NdValue classes = predictor.predict(null, Map.of("x", images)).get("classes");
      NdValue expected = Npy.read(MODEL.resolve("expected/classes.npy"));
      assertEquals(expected, classes);
    }
  }

  private static void assertMessage(String expected, Executable call) {
    PredictionException e = assertThrows(PredictionException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.badRequest());
  }

  private static void copyModel(Path target) throws IOException {
    try (var paths = Files.walk(MODEL)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path to = target.resolve(MODEL.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }
}
