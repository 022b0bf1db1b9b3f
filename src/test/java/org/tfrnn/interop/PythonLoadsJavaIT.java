package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tfrnn.data.Batch;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.inference.Predictor;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;
import org.tfrnn.workflows.RealMnist;
import org.tfrnn.workflows.TrainedModel;

/**
 * Models exported by the Java trainer load in real Python TensorFlow (python/.venv), through
 * tf.saved_model.load and through the tf.compat.v1 loader, and their signatures give Java's
 * outputs (python/check_java_export.py, max abs diff 1e-5).
 */
class PythonLoadsJavaIT {

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource({
      "notebook-003, STATIC, serving_default",
      "best, STATIC, serving_default",
      "best, FAST, serving_default",
      "notebook-001, WHILE, serving_default",
      "notebook-001, WHILE, serving_with_sequence_length",
      "notebook-002, WHILE, serving_default"})
  void pythonGetsJavasOutputs(String presetName, ModelSpec.Unroll unroll, String signature,
      @TempDir Path tmp) throws Exception {
    MnistDataset data = RealMnist.load();
    Preset preset = Presets.named(presetName);
    preset = preset.withModel(preset.model().withUnroll(unroll));
    Path exported;
    try (TrainedModel trained = new TrainedModel(preset, 60, data)) {
      exported = trained.export(tmp.resolve("model"));
    }

    Batch batch = data.test().batch(0, 32);
    Path expected = Files.createDirectories(tmp.resolve("expected"));
    NdValue images = NdValue.ofFloats(batch.images(), 32, 28, 28);
    Map<String, NdValue> inputs = Map.of("x", images);
    Npy.write(expected.resolve("inputs.npy"), images);
    if (signature.equals(ServingSignatures.WITH_SEQUENCE_LENGTH)) {
      // Ragged batch: lengths from 1 to 28, so the masking is checked too.
      int[] lengths = new int[32];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = 1 + (i * 27) / 31;
      }
      NdValue sequenceLength = NdValue.ofInts(lengths, 32);
      Npy.write(expected.resolve("sequence_length.npy"), sequenceLength);
      inputs = Map.of("x", images, "sequence_length", sequenceLength);
    }
    try (Predictor predictor = Predictor.open(exported)) {
      for (var output : predictor.predict(signature, inputs).entrySet()) {
        Npy.write(expected.resolve(output.getKey() + ".npy"), output.getValue());
      }
    }

    PythonProcess.Outcome check = PythonProcess.run("check_java_export.py",
        exported.toString(), expected.toString(), "--signature", signature);
    assertEquals(0, check.exitCode(), check.describe());
    assertTrue(check.stdout().contains("tf2") && check.stdout().contains("tf1"), check.describe());
  }
}
