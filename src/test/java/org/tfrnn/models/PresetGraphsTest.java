package org.tfrnn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;

/**
 * A change detector, not a check of correctness: graphs/*.pbtxt are written by the same builder
 * ({@code ./tfrnn graphs}), so this test only shows that a graph changed and makes the change
 * reviewable as a diff. The independent check of the graphs is {@code
 * org.tfrnn.lockstep.PythonGraphFactsTest}, against the graphs Python TensorFlow builds for the
 * same notebooks, and {@code LockstepIT}, which trains both in lockstep. The second test here
 * checks the TF1 names the notebooks give.
 */
class PresetGraphsTest {
  private static final Path GRAPHS = Path.of("graphs");

  static Stream<String> presets() {
    return Presets.all().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("presets")
  void committedGraphMatchesTheBuilder(String name) throws IOException {
    Preset preset = Presets.named(name);
    Path file = PresetGraphs.file(GRAPHS, preset);
    assertTrue(Files.isRegularFile(file), file + " is missing: run ./tfrnn graphs");
    assertEquals(Files.readString(file), PresetGraphs.text(preset),
        "the graph of " + name + " changed: run ./tfrnn graphs and review the diff of " + file);
  }

  @Test
  void graphsUseTheNotebooksNames() {
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, Presets.named("notebook-004").model());
      for (String op : new String[] {"x", "y", "Variable", "Variable_1", "Variable_2",
          "rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias", "logits", "probabilities",
          "classes", "loss", "accuracy", "rnn/basic_lstm_cell/kernel/Adam",
          "rnn/basic_lstm_cell/kernel/Adam_1", "beta1_power", "beta2_power"}) {
        assertNotNull(graph.operation(op), op);
      }
      assertEquals("VariableV2", graph.operation("rnn/basic_lstm_cell/kernel").type());
    }
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, Presets.named("notebook-002").model());
      for (String op : new String[] {"rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias",
          "dense/kernel", "dense/bias", "rnn/while/Exit", "sequence_length"}) {
        assertNotNull(graph.operation(op), op);
      }
    }
  }
}
