package org.tfrnn.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * A version that loads but whose listener throws is not served and is freed: the Predictor opened
 * for it is closed, whether at {@link VersionedModel#open} or at a later {@link
 * VersionedModel#refresh}.
 */
class VersionedModelTest {
  private static final Path MODEL = Path.of("savedmodels/py-static-lstm");
  private final List<Predictor> opened = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeWhatTheCodeUnderTestLeaked() {
    opened.forEach(Predictor::close); // idempotent
  }

  @Test
  void aListenerThatThrowsAtOpenLeavesNoModelOpen(@TempDir Path base) throws IOException {
    publish(base, 1);
    RuntimeException failure = new RuntimeException("listener failed");
    ModelVersionListener throwing = new ModelVersionListener() {
      @Override
      public void versionLoaded(String model, long version, Path directory, Duration loadTime) {
        throw failure;
      }
    };
    RuntimeException thrown = assertThrows(RuntimeException.class,
        () -> VersionedModel.open("mnist", base, throwing, this::openAndRecord));
    assertSame(failure, thrown);
    assertEquals(1, opened.size());
    assertClosed(opened.get(0));
  }

  @Test
  void aListenerThatThrowsAtRefreshLeavesTheNewVersionClosed(@TempDir Path base)
      throws IOException {
    publish(base, 1);
    List<String> failures = new CopyOnWriteArrayList<>();
    ModelVersionListener throwingOnVersion2 = new ModelVersionListener() {
      @Override
      public void versionLoaded(String model, long version, Path directory, Duration loadTime) {
        if (version == 2) {
          throw new RuntimeException("listener failed on version 2");
        }
      }

      @Override
      public void versionFailed(String model, long version, Path directory, Exception cause) {
        failures.add(version + ": " + cause.getMessage());
      }
    };
    try (VersionedModel model =
        VersionedModel.open("mnist", base, throwingOnVersion2, this::openAndRecord)) {
      publish(base, 2);
      assertFalse(model.refresh());
      assertEquals(List.of("2: listener failed on version 2"), failures);
      assertEquals(1, model.servedVersion());
      assertEquals(2, opened.size());
      assertClosed(opened.get(1));
      try (LoadedVersion.Hold hold = model.hold(OptionalLong.empty())) {
        assertEquals(Npy.read(MODEL.resolve("expected/classes.npy")),
            hold.loaded().predictor().predict(null, inputs()).get("classes"));
      }
    }
  }

  private Predictor openAndRecord(Path directory) throws IOException {
    Predictor predictor = Predictor.open(directory);
    opened.add(predictor);
    return predictor;
  }

  private static void assertClosed(Predictor predictor) throws IOException {
    PredictionException e = assertThrows(PredictionException.class,
        () -> predictor.predict(null, inputs()), "the predictor is still open");
    assertEquals(PredictionException.Reason.UNAVAILABLE, e.reason());
    assertEquals("the model at " + predictor.directory() + " is closed", e.getMessage());
  }

  private static Map<String, NdValue> inputs() throws IOException {
    return Map.of("x", Npy.read(MODEL.resolve("expected/inputs.npy")));
  }

  private static void publish(Path base, long version) throws IOException {
    ModelFixtures.publishVersion("py-static-lstm", base, version);
  }
}
