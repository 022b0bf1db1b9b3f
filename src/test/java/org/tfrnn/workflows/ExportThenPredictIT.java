package org.tfrnn.workflows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfrnn.data.Batch;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.inference.Predictor;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.train.Evaluation;

/** A trained model, exported and reloaded, computes what the training session computed. */
class ExportThenPredictIT {

  @ParameterizedTest
  @ValueSource(strings = {"STATIC", "WHILE"})
  void reloadedModelGivesTheSessionsLogitsAndAccuracy(ModelSpec.Unroll unroll, @TempDir Path tmp)
      throws Exception {
    MnistDataset data = RealMnist.load();
    Preset preset = Presets.named("notebook-003");
    preset = preset.withModel(preset.model().withUnroll(unroll));
    Batch first = data.test().batch(0, 200);
    try (TrainedModel trained = new TrainedModel(preset, 150, data)) {
      float[] sessionLogits = trained.logits(first);
      Evaluation sessionEvaluation = trained.trainer.evaluate(data.test(), 10000);
      Path exported = trained.export(tmp);
      assertEquals(tmp.resolve("1"), exported);

      try (Predictor predictor = Predictor.open(tmp)) {
        NdValue x = NdValue.ofFloats(first.images(), 200, 28, 28);
        float[] reloaded = predictor.predict(null, Map.of("x", x)).get("logits").floats();
        double maxDiff = 0;
        for (int i = 0; i < reloaded.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(reloaded[i] - sessionLogits[i]));
        }
        assertTrue(maxDiff <= 1e-6, "max abs diff " + maxDiff);

        SavedModelEvaluation.Binding binding =
            SavedModelEvaluation.bind(predictor.signature(null), 28, 28, 10);
        Evaluation reloadedEvaluation =
            SavedModelEvaluation.evaluate(predictor, binding, data.test(), 10000, 28, 28, 10);
        assertEquals(sessionEvaluation.correct(), reloadedEvaluation.correct());
        assertTrue(sessionEvaluation.accuracy() > 0.5, "trained at all: " + sessionEvaluation);

        if (unroll == ModelSpec.Unroll.WHILE) {
          assertSequenceLengthSignature(predictor, first, sessionLogits);
        }
      }
    }
  }

  /**
   * The while-loop export also serves sequences of any length: full-length rows through the
   * sequence_length signature give the same logits, and a shorter time axis still runs.
   */
  private static void assertSequenceLengthSignature(Predictor predictor, Batch batch,
      float[] sessionLogits) {
    int n = batch.size();
    int[] fullLength = new int[n];
    java.util.Arrays.fill(fullLength, 28);
    NdValue x = NdValue.ofFloats(batch.images(), n, 28, 28);
    float[] withLengths = predictor.predict(ServingSignatures.WITH_SEQUENCE_LENGTH,
        Map.of("x", x, "sequence_length", NdValue.ofInts(fullLength, n))).get("logits").floats();
    assertArrayEquals(sessionLogits, withLengths, 1e-6f);

    float[] firstRows = java.util.Arrays.copyOf(batch.images(), 14 * 28);
    NdValue shortSequence = NdValue.ofFloats(firstRows, 1, 14, 28);
    assertEquals(10, predictor.predict(null, Map.of("x", shortSequence)).get("logits").floats().length);
  }
}
