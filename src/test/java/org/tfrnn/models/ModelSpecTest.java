package org.tfrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;

/** Stacked layers and clipping in a {@link ModelSpec}, and what the graph builder makes of them. */
class ModelSpecTest {

  @Test
  void stackedLayersGetMultiRnnCellsTf1VariableNames() {
    try (Graph graph = new Graph()) {
      ModelGraph model = ModelBuilder.build(graph, Presets.named("best").model());
      List<String> names = model.trainableVariables().stream().map(v -> v.op().name()).toList();
      assertEquals(List.of("Variable", "Variable_1",
          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias"), names);
      assertEquals(List.of(28 + 128L, 512L),
          List.of(model.trainableVariables().get(2).shape().get(0),
              model.trainableVariables().get(2).shape().get(1)));
      assertEquals(128 + 128L, model.trainableVariables().get(4).shape().get(0));
    }
  }

  @Test
  void theWhileLoopRefusesStackedLayersNamingTheFix() {
    ModelSpec best = Presets.named("best").model();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> best.withUnroll(ModelSpec.Unroll.WHILE));
    assertTrue(e.getMessage().contains("--unroll static"), e.getMessage());
  }

  @Test
  void aNegativeOrNonFiniteClipNormIsRefused() {
    ModelSpec.Builder best = Presets.named("best").model().toBuilder();
    assertThrows(IllegalArgumentException.class, () -> best.clipNorm(-1f).build());
    assertThrows(IllegalArgumentException.class, () -> best.clipNorm(Float.NaN).build());
    assertThrows(IllegalArgumentException.class, () -> best.layers(0).build());
  }
}
