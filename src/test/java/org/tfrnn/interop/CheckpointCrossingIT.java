package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import org.tfrnn.workflows.PresetRun;
import org.tfrnn.workflows.RealMnist;

/**
 * Variables cross between Java and Python by their TF1 names, both ways: the Java graph starts from
 * a Python notebook's SavedModel and trains on, and the Python graph starts from the checkpoint in
 * the resulting Java SavedModel and trains on.
 */
class CheckpointCrossingIT {

  @ParameterizedTest(name = "{0} from {1}, back as {2}")
  @CsvSource({
      "notebook-003, py-static-lstm, static_lstm",
      "notebook-001, py-dynamic-lstm, dynamic_lstm",
      "notebook-002, py-basic-rnn-dense, basic_rnn_dense"})
  void javaContinuesPythonAndPythonContinuesJava(String presetName, String fixture,
      String pythonModel, @TempDir Path tmp) throws Exception {
    Path pythonModelDir = PythonSavedModelTest.FIXTURES.resolve(fixture);
    JsonNode recorded =
        new ObjectMapper().readTree(pythonModelDir.resolve("expected/fixture.json").toFile());
    double pythonAccuracy = recorded.get("test_accuracy_10000").asDouble();

    RealMnist.load();
    // Training continues the notebook's way (its batch size), as the fixture was trained.
    Preset preset = Presets.named(presetName).withSteps(200);
    List<String> log = new ArrayList<>();
    PresetRun.Outcome java = PresetRun.run(new PresetRun.Options(
        preset, RealMnist.DIR, tmp.resolve("java"), pythonModelDir), log::add);

    // Restored, not retrained: Java's accuracy before training is the Python model's.
    assertEquals(pythonAccuracy, java.initialTestAccuracy(), 0.0005, String.join("\n", log));
    double floor = pythonAccuracy - 0.01;
    assertTrue(java.test().accuracy() >= floor,
        "after 200 more steps in Java: " + java.test().accuracy() + " (from " + pythonAccuracy + ")");

    PythonProcess.Outcome python = PythonProcess.run("train_from_checkpoint.py",
        "--model", pythonModel,
        "--checkpoint", java.exportedModel().resolve("variables/variables").toString(),
        "--data-dir", RealMnist.DIR.toString(), "--steps", "100",
        "--batch-size", Integer.toString(preset.batchSize()));
    assertEquals(0, python.exitCode(), python.describe());
    JsonNode result = new ObjectMapper().readTree(python.lastLine());
    assertEquals(java.test().accuracy(), result.get("accuracy_before").asDouble(), 0.0005,
        python.describe());
    assertTrue(result.get("accuracy_after").asDouble() >= java.test().accuracy() - 0.01,
        python.describe());
  }

  /**
   * The preset {@code best} stacks two LSTMs (variables {@code rnn/multi_rnn_cell/cell_k/...}):
   * Java trains it, Python's MultiRNNCell graph restores it by name and trains on, and Java starts
   * again from Python's SavedModel.
   */
  @Test
  void bestCrossesToPythonsMultiRnnCellAndBack(@TempDir Path tmp) throws Exception {
    RealMnist.load();
    Preset best = Presets.named("best").withSteps(100);
    assertEquals(2, best.model().layers(), "best is the stacked model this test is about");
    List<String> log = new ArrayList<>();
    PresetRun.Outcome java = PresetRun.run(new PresetRun.Options(
        best, RealMnist.DIR, tmp.resolve("java"), null), log::add);

    Path pythonModel = tmp.resolve("python");
    PythonProcess.Outcome python = PythonProcess.run("train_from_checkpoint.py",
        "--model", "stacked_lstm",
        "--checkpoint", java.exportedModel().resolve("variables/variables").toString(),
        "--data-dir", RealMnist.DIR.toString(), "--steps", "50",
        "--save-dir", pythonModel.toString());
    assertEquals(0, python.exitCode(), python.describe());
    JsonNode result = new ObjectMapper().readTree(python.lastLine());
    assertEquals(java.test().accuracy(), result.get("accuracy_before").asDouble(), 0.0005,
        python.describe());

    PresetRun.Outcome back = PresetRun.run(new PresetRun.Options(
        best.withSteps(1), RealMnist.DIR, null, pythonModel), log::add);
    assertEquals(result.get("accuracy_after").asDouble(), back.initialTestAccuracy(), 0.0005,
        String.join("\n", log));
  }
}
