package org.tfrnn.workflows;

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
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.SavedModel;
import org.tfrnn.train.SessionThreads;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.checkpoint.CheckpointState;
import org.tfrnn.data.DataFiles;
import org.tfrnn.data.FileDataset;
import org.tfrnn.inference.Predictor;
import org.tfrnn.models.Presets;
import org.tfrnn.tensorboard.EventFiles;
import org.tfrnn.tensors.NdValue;

/** Validation during training, on made data: the best weights exported, early stopping. */
class ValidationTest {

  private static PresetRun.Outcome train(Path dir, List<String> log, int steps, float learningRate,
      Tracking tracking) throws IOException {
    var preset = Presets.named("notebook-003").withSteps(steps).withBatchSize(32);
    preset = preset.withModel(preset.model().withLearningRate(learningRate));
    return PresetRun.run(new PresetRun.Options(preset, dir.resolve("unused"),
        OwnDataTrainingTest.madeData(dir), dir.resolve("export"), null, tracking), log::add);
  }

  private static Tracking tracking(Path dir, boolean exportBest, int patience) {
    return new Tracking(dir.resolve("logs"), dir.resolve("checkpoints"), 0, 5, false, 10,
        () -> false, exportBest, patience);
  }

  /**
   * The exported SavedModel, run on the validation examples, scores what TensorBoard recorded as
   * the best validation accuracy, at the step best.json names.
   */
  @Test
  void exportBestExportsTheWeightsOfTheBestValidationAccuracy(@TempDir Path dir) throws Exception {
    List<String> log = new ArrayList<>();
    // A rate high enough that accuracy goes up and down, so best and last differ in most runs.
    PresetRun.Outcome outcome = train(dir, log, 80, 0.05f, tracking(dir, true, 0));

    List<EventFiles.Point> validation =
        EventFiles.scalars(dir.resolve("logs")).get(TensorBoardLog.VALIDATION_ACCURACY);
    assertEquals(8, validation.size(), validation.toString());
    EventFiles.Point best = validation.get(0);
    for (EventFiles.Point p : validation) {
      if (p.value() > best.value()) {
        best = p;
      }
    }
    JsonNode kept = new ObjectMapper().readTree(
        dir.resolve("checkpoints/best/best.json").toFile());
    assertEquals(best.step(), kept.get("step").asLong());
    assertEquals("model.ckpt-" + best.step(), CheckpointState.read(dir.resolve("checkpoints/best")).latest());

    // Trained in two batch lanes, exported in one: the served graph cuts no batch.
    assertTrue(log.contains("Batch lanes: 2; session threads intra,inter: "
        + SessionThreads.forLanes(2)), String.join("\n", log));
    SavedModel saved;
    try (var in = java.nio.file.Files.newInputStream(
        outcome.exportedModel().resolve("saved_model.pb"))) {
      saved = SavedModel.parseFrom(in);
    }
    assertEquals(0, saved.getMetaGraphs(0).getGraphDef().getNodeList().stream()
        .filter(node -> node.getOp().equals("SplitV")).count(), "SplitV nodes in the export");

    FileDataset data = FileDataset.of(
        DataFiles.read(dir.resolve("train-x.gz"), dir.resolve("train-y")),
        DataFiles.read(dir.resolve("test-x"), dir.resolve("test-y")), 0);
    int n = data.validation().size();
    try (Predictor predictor = Predictor.open(outcome.exportedModel())) {
      Map<String, NdValue> out = predictor.predict("serving_default", Map.of("x",
          NdValue.ofFloats(data.validation().images(), n, data.timeSteps(), data.features())));
      long[] classes = out.get("classes").longs();
      int correct = 0;
      for (int i = 0; i < n; i++) {
        correct += classes[i] == data.validation().labels()[i] ? 1 : 0;
      }
      assertEquals(best.value(), (double) correct / n, 1e-6, String.join("\n", log));
    }
    assertTrue(log.contains(String.format(java.util.Locale.ROOT, "Best validation accuracy %.4f "
        + "at step %d: those weights are evaluated and exported", best.value(), best.step())), String.join("\n", log));
  }

  /** Patience 1 stops at the first evaluation that does not beat the best so far. */
  @Test
  void earlyStopStopsAtTheFirstEvaluationPastThePatience(@TempDir Path dir) throws Exception {
    List<String> log = new ArrayList<>();
    train(dir, log, 300, 0.05f, tracking(dir, false, 1));

    List<EventFiles.Point> validation =
        EventFiles.scalars(dir.resolve("logs")).get(TensorBoardLog.VALIDATION_ACCURACY);
    double bestSoFar = -1;
    long expectedStop = -1;
    for (EventFiles.Point p : validation) {
      if (p.value() > bestSoFar) {
        bestSoFar = p.value();
      } else {
        expectedStop = p.step();
        break;
      }
    }
    assertTrue(expectedStop > 0, "validation improved at every evaluation: " + validation);
    String stopLine = "Early stop after step " + expectedStop
        + ": validation accuracy has not improved for 1 evaluations";
    assertEquals(expectedStop, validation.get(validation.size() - 1).step(), "no evaluation after the stop");
    assertTrue(log.stream().anyMatch(l -> l.startsWith(stopLine)), String.join("\n", log));
    assertEquals("model.ckpt-" + expectedStop, CheckpointState.read(dir.resolve("checkpoints")).latest());
    assertTrue(Files.isDirectory(dir.resolve("export/1")), "an early-stopped run is still exported");
  }
}
