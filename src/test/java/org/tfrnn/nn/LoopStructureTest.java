package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Presets;

/**
 * The per-iteration bookkeeping of both RNN loops, read from the GraphDef: only the real loop
 * state (time, each state part or its gradient, one TensorArray flow) cycles through
 * Merge/Switch/NextIteration every iteration; everything the loop only reads (inputs, weights,
 * lengths, TensorArray handles) enters its frame once through a constant Enter, as Python's
 * while_loop passes loop invariants. A loop that carried invariants as loop variables (the C API's
 * Graph.whileLoop did, ≈1,700 extra op executions per LSTM training step) fails here. Each
 * direction runs as two frames, one without any mask while every sequence runs and one with the
 * sequence_length masks after: no Switch beyond the loop's own, no SelectV2 in the first.
 */
class LoopStructureTest {

  /** What one frame holds. */
  record Frame(int loopStateEnters, int constantEnters, int backEdges, int nextIterations,
      int exits, int switches, int selects, List<String> resourcesEnteredAsLoopState) {}

  /**
   * Constant Enters of a frame: forward (rnn/): the bound on time, the projected inputs, W_h, the
   * gate array (LSTM only: the tanh RNN's backward reads only the states), one state array per
   * state part; backward: the same but the projected inputs, plus the outputs' gradient, the
   * forward's last flow (the tape's reads wait for no earlier iteration) and the pre-activation
   * gradient array. A masked frame also enters the lengths.
   */
  static int invariants(String frame, RnnCell cell) {
    boolean backward = !frame.startsWith("rnn/");
    boolean masked = frame.contains("masked_while");
    return (backward ? 5 : 3) + (masked ? 1 : 0) + (cell.recordsGates() ? 1 : 0)
        + cell.stateSize();
  }

  /** SelectV2 masks: none unmasked; per state part one forward, two backward. */
  static int selects(String frame, RnnCell cell) {
    if (!frame.contains("masked_while")) {
      return 0;
    }
    return (frame.startsWith("rnn/") ? 1 : 2) * cell.stateSize();
  }

  @ParameterizedTest
  @EnumSource(ReferenceRnn.Kind.class)
  void onlyTheLoopStateCyclesAndEveryInvariantEntersOnce(ReferenceRnn.Kind kind) {
    RnnCell cell = RnnForwardTest.cellOf(kind);
    assertEquals(kind == ReferenceRnn.Kind.LSTM, cell.recordsGates());
    try (RnnGraph graph = new RnnGraph(cell, 4)) {
      DynamicRnn.Result forward = graph.dynamicRnn(true, true);
      List<Operand<TFloat32>> finalStateGradient = new ArrayList<>(forward.finalState());
      DynamicRnnBackprop.build(graph.tf.withSubScope("bptt"), forward,
          graph.tf.onesLike(forward.outputs()), finalStateGradient);
      Map<String, Frame> frames = frames(graph.graph.toGraphDef());

      // time, the state parts (LSTM: c and h; RNN: h), one flow for all TensorArrays
      int loopState = 2 + cell.stateSize();
      assertEquals(List.of("bptt/masked_while/while_context", "bptt/while/while_context",
          "rnn/masked_while/while_context", "rnn/while/while_context"),
          List.copyOf(frames.keySet()));
      for (var entry : frames.entrySet()) {
        Frame frame = entry.getValue();
        String name = entry.getKey();
        assertEquals(loopState, frame.loopStateEnters(), name + ": loop-variable Enters");
        assertEquals(loopState, frame.backEdges(), name + ": Merges fed back by NextIteration");
        assertEquals(loopState, frame.nextIterations(), name + ": NextIteration ops");
        assertEquals(loopState, frame.exits(), name + ": Exit ops");
        assertEquals(loopState, frame.switches(), name + ": Switch ops (the loop's own only)");
        assertEquals(selects(name, cell), frame.selects(), name + ": SelectV2 masks");
        assertEquals(invariants(name, cell), frame.constantEnters(), name + ": constant Enters");
        assertTrue(frame.resourcesEnteredAsLoopState().isEmpty(),
            name + ": TensorArray handles must enter as invariants, not "
                + frame.resourcesEnteredAsLoopState());
      }
    }
  }

  /**
   * The while-loop model cut into two batch lanes: each lane's forward and backward are frames of
   * their own, each with exactly the bookkeeping of a single loop (notebook-001: LSTM, head on the
   * last output).
   */
  @Test
  void everyLaneIsAFrameOfItsOwnWithTheSameBookkeeping() {
    ModelSpec spec = Presets.named("notebook-001").model().toBuilder()
        .timeSteps(3).inputSize(4).units(5).build();
    RnnCell cell = spec.rnnCell();
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, spec, 2);
      Map<String, Frame> frames = frames(graph.toGraphDef());
      assertEquals(8, frames.size(), "frames " + frames.keySet());
      for (var entry : frames.entrySet()) {
        Frame frame = entry.getValue();
        String name = entry.getKey();
        int loopState = 2 + cell.stateSize();
        assertEquals(loopState, frame.loopStateEnters(), name + ": loop-variable Enters");
        assertEquals(loopState, frame.exits(), name + ": Exit ops");
        assertEquals(invariants(name, cell), frame.constantEnters(), name + ": constant Enters");
        assertEquals(selects(name, cell), frame.selects(), name + ": SelectV2 masks");
        assertTrue(frame.resourcesEnteredAsLoopState().isEmpty(), name);
      }
    }
  }

  /** Frames by name; ops other than Enter are assigned to the frame whose prefix they carry. */
  static Map<String, Frame> frames(GraphDef graphDef) {
    Map<String, NodeDef> byName = new HashMap<>();
    graphDef.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, List<String>> resources = new TreeMap<>();
    for (NodeDef node : graphDef.getNodeList()) {
      if (!node.getOp().equals("Enter")) {
        continue;
      }
      String frame = node.getAttrOrThrow("frame_name").getS().toStringUtf8();
      int[] c = counts.computeIfAbsent(frame, f -> new int[7]);
      resources.computeIfAbsent(frame, f -> new ArrayList<>());
      if (node.getAttrOrThrow("is_constant").getB()) {
        c[1]++;
      } else {
        c[0]++;
        if (node.getAttrOrThrow("T").getType() == DataType.DT_RESOURCE) {
          resources.get(frame).add(node.getName());
        }
      }
    }
    for (NodeDef node : graphDef.getNodeList()) {
      String frame = frameOf(node.getName(), counts.keySet());
      if (frame == null) {
        continue;
      }
      int[] c = counts.get(frame);
      switch (node.getOp()) {
        case "Merge" -> {
          NodeDef second = byName.get(node.getInput(1).split(":")[0]);
          if (second.getOp().equals("NextIteration")) {
            c[2]++;
          }
        }
        case "NextIteration" -> c[3]++;
        case "Exit" -> c[4]++;
        case "Switch" -> c[5]++;
        case "SelectV2" -> c[6]++;
        default -> { }
      }
    }
    Map<String, Frame> frames = new TreeMap<>();
    counts.forEach((name, c) ->
        frames.put(name, new Frame(c[0], c[1], c[2], c[3], c[4], c[5], c[6],
            resources.get(name))));
    return frames;
  }

  private static String frameOf(String opName, Iterable<String> frames) {
    for (String frame : frames) {
      String loopScope = frame.substring(0, frame.lastIndexOf('/') + 1);
      if (opName.startsWith(loopScope)) {
        return frame;
      }
    }
    return null;
  }
}
