package org.tfrnn.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;

/** Presets trained on the real MNIST data, judged on all 10,000 test images. */
class PresetTrainingIT {

  private static PresetRun.Outcome train(Preset preset, List<String> log) throws IOException {
    RealMnist.load();
    return PresetRun.run(new PresetRun.Options(preset, RealMnist.DIR, null, null), log::add);
  }

  @Test
  void bestReaches95PercentInABoundedRun() throws IOException {
    List<String> log = new ArrayList<>();
    PresetRun.Outcome outcome = train(Presets.named("best").withSteps(1500), log);
    assertTrue(outcome.test().accuracy() >= 0.95, "best after 1500 steps: " + outcome.test());
    assertEquals(10000, outcome.test().examples());
    assertTrue(log.contains("Optimization Finished!"), String.join("\n", log));
    assertTrue(log.stream().anyMatch(l -> l.matches(
        "Step 1400, Minibatch Loss= \\d+\\.\\d{4}, Training Accuracy= \\d\\.\\d{3}")), "log");
  }

  /**
   * Notebook 004 as written (Adam at 0.5) does not train in TensorFlow 2.16: its own code run by
   * Python TensorFlow 2.16.2 ends at 0.0974, 0.098 and 0.0958 on three seeds, not the 0.9693 the
   * notebook printed. The port must do what TensorFlow does, so this pins the preset's
   * hyper-parameters: a port that "fixed" them would fail here.
   */
  @Test
  void notebook004AsWrittenDivergesAsInPythonTensorFlow() throws IOException {
    List<String> log = new ArrayList<>();
    PresetRun.Outcome outcome = train(Presets.named("notebook-004"), log);
    assertTrue(outcome.test().accuracy() < 0.2, "004 as written: " + outcome.test());
    assertEquals(10, log.stream().filter(l -> l.startsWith("STEP ")).count(), "STEP lines");
    assertTrue(log.stream().anyMatch(l -> l.startsWith("FINAL ACCURACY: ")));
  }

  /** The same notebook with a learning rate Adam can use (the CLI's --learning-rate 0.01). */
  @Test
  void notebook004WithAWorkableLearningRateReaches93Percent() throws IOException {
    Preset preset = Presets.named("notebook-004");
    preset = preset.withModel(preset.model().withLearningRate(0.01f));
    List<String> log = new ArrayList<>();
    PresetRun.Outcome outcome = train(preset, log);
    assertEquals(1000, outcome.training().steps());
    assertTrue(outcome.test().accuracy() >= 0.93, "004 at 0.01 after 1000 steps: " + outcome.test());
    assertTrue(log.contains("EXPECTED OUTPUT: [7]"), String.join("\n", log));
  }

  @Test
  void whileLoopTrainsToTheAccuracyOfTheStaticUnroll() throws IOException {
    Preset preset = Presets.named("notebook-001").withSteps(600);
    PresetRun.Outcome looped = train(preset.withModel(
        preset.model().withUnroll(ModelSpec.Unroll.WHILE)), new ArrayList<>());
    PresetRun.Outcome unrolled = train(preset.withModel(
        preset.model().withUnroll(ModelSpec.Unroll.STATIC)), new ArrayList<>());
    double gap = Math.abs(looped.test().accuracy() - unrolled.test().accuracy());
    assertTrue(gap <= 0.005, "while " + looped.test().accuracy() + " vs static "
        + unrolled.test().accuracy());
    assertTrue(unrolled.test().accuracy() > 0.9, "static " + unrolled.test().accuracy());
  }
}
