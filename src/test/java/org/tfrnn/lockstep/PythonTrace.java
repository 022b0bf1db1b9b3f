package org.tfrnn.lockstep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * One training run of a notebook graph in Python TensorFlow, as python/lockstep.py records it:
 * the batches (indices into the training split), the loss of every step, and every variable
 * before the first step, after it, and after the last.
 *
 * @param batches [steps][batch size] indices into the 55,000-image training split
 */
record PythonTrace(Path dir, JsonNode summary, int[][] batches, float[] losses) {
  static final String INITIAL = "initial";
  static final String AFTER_STEP_1 = "step-1";
  static final String FINAL = "final";

  static PythonTrace read(Path dir) throws IOException {
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("lockstep.json").toFile());
    NdValue batches = Npy.read(dir.resolve("batches.npy"));
    int steps = (int) batches.dim(0);
    int batchSize = (int) batches.dim(1);
    int[] flat = batches.ints();
    int[][] rows = new int[steps][];
    for (int s = 0; s < steps; s++) {
      rows[s] = java.util.Arrays.copyOfRange(flat, s * batchSize, (s + 1) * batchSize);
    }
    return new PythonTrace(dir, summary, rows, Npy.read(dir.resolve("losses.npy")).floats());
  }

  int steps() {
    return batches.length;
  }

  /** Every variable at {@code stage} ({@link #INITIAL}, ...), by TF1 name, in Python's order. */
  Map<String, NdValue> variables(String stage) throws IOException {
    Map<String, NdValue> values = new LinkedHashMap<>();
    var fields = summary.get("variables").fields();
    while (fields.hasNext()) {
      var field = fields.next();
      values.put(field.getKey(),
          Npy.read(dir.resolve(stage).resolve(field.getValue().get("file").asText())));
    }
    return values;
  }

  GraphFacts graph() {
    return GraphFacts.of(summary.get("graph"));
  }

  String schedule() {
    return summary.get("schedule").asText();
  }
}
