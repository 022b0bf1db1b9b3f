package org.tfrnn.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Presets;

/**
 * Each preset's Java graph against the graph Python TensorFlow builds for the same notebook with
 * the notebook's own optimizer ({@code graphs/python/<preset>.json}, written by
 * {@code python/graph_facts.py}): the variables (TF1 names, dtypes, shapes, optimizer slots and
 * global step included) must be the same, and so must the count of every op type on the loss's
 * forward path, except the op types listed below with their reasons (the README's table "Java's
 * graphs against Python's"). A new difference, or a listed one that went away, fails.
 */
class PythonGraphFactsTest {
  static final Path PYTHON_FACTS = Path.of("graphs/python");

  private static final String ADD = "TF Java 1.0's Ops API has no AddV2, which Python's `+` emits;"
      + " Add computes the same on floats and has the same gradient";
  private static final String IDENTITY = "Python reads each reference variable through an Identity"
      + " `<name>/read`; Java feeds the VariableV2 to its consumers and names the loss by an"
      + " Identity `loss`";
  private static final String CONST = "the constants of the other differences (shapes, axes)";
  private static final String CROSS_ENTROPY = "Python's softmax_cross_entropy_with_logits wrapper"
      + " flattens logits and labels to 2-D and reshapes the loss back (Shape, Slice, Sub,"
      + " ConcatV2, Reshape); Java calls the kernel on the [batch, 10] tensors directly";
  private static final String ZERO_STATE = "zero state: Python builds c and h zeros apart from"
      + " shape(x[0])[0] (StridedSlice, ExpandDims, ConcatV2, two Fill); Java builds one from"
      + " gather(shape(x), 0) (GatherV2, Pack, Fill) for both";
  private static final String LOOP_COUNTER = "Python's dynamic_rnn passes maximum_iterations,"
      + " which its while_loop counts in one more loop variable (Enter, Merge, Switch, Identity,"
      + " NextIteration); Java's loop bound is the time loop variable alone";
  private static final String LOOP_IDENTITY = "Python's while_loop passes every loop variable into"
      + " the body through an Identity; Java's only the first, the frame's pivot";
  private static final String LOOP_INVARIANTS = "both loops enter their invariants once, but"
      + " different ones: Python its input TensorArray and the length bounds, Java the projected"
      + " input, the lengths, the number of time steps and W_h";
  private static final String LOOP_INPUT = "Python's dynamic_rnn scatters the time-major input into"
      + " a TensorArray and reads one step per iteration; Java's loop gathers the step from the"
      + " input tensor";
  private static final String TAPE = "Java's loop writes the state and gate tape that its BPTT"
      + " reads (Python's autodiff keeps its own stacks, which are not on the forward path)";
  private static final String GATE_TAPE = "Java's LSTM loop records its activated gates [i, j, f,"
      + " o] as one tensor (ConcatV2) for its BPTT, which then re-activates nothing";
  private static final String LOOP_BOUND = "Python's loop runs while time < min(max(sequence"
      + " length), time steps) and builds its output TensorArray size with Range; Java's loop runs"
      + " while time < time steps";
  private static final String SEQUENCE_LENGTH = "Java's while-loop models take an optional"
      + " `sequence_length` (PlaceholderWithDefault, full length) and zero the outputs past it"
      + " (SelectV2, ZerosLike), for the serving_with_sequence_length signature";
  private static final String HOISTED = "Java's loop computes x·W_x + b for all steps as one"
      + " matmul before the loop (MatMul, Slice of the kernel, Reshape) and only h·W_h inside";
  private static final String TWO_LOOPS = "Java's forward runs as two while loops, two frames:"
      + " one without masks while time < min(sequence_length) (every step without"
      + " sequence_length), then one with the SelectV2 masks for the rest (Min; its bound"
      + " max(min(shortest, time steps), 0) happens to match Python's Minimum and Maximum in"
      + " count). The second frame has its own"
      + " Enter, Merge, Switch, NextIteration, LoopCond, Exit, Less and copy of the step's ops"
      + " (MatMul, GatherV2, Add, Sigmoid, Tanh, Mul, Split, ConcatV2, TensorArrayWriteV3)";
  private static final String LAST_STEP = "Java's while-loop models accept any number of time"
      + " steps, so the head gathers the last step instead of split(outputs, 28, axis=1)[-1] and"
      + " reshape";

  /** Op type -> why its count differs, for the static unroll (000, 003, 004, best). */
  static final Map<String, String> STATIC = ordered(
      "Add", ADD, "AddV2", ADD,
      "Identity", IDENTITY,
      "Const", CONST,
      "Reshape", CROSS_ENTROPY, "Shape", CROSS_ENTROPY + "; " + ZERO_STATE,
      "Slice", CROSS_ENTROPY, "Sub", CROSS_ENTROPY,
      "ConcatV2", CROSS_ENTROPY + "; " + ZERO_STATE,
      "Pack", CROSS_ENTROPY + "; " + ZERO_STATE,
      "Fill", ZERO_STATE, "ExpandDims", ZERO_STATE, "StridedSlice", ZERO_STATE,
      "GatherV2", ZERO_STATE);

  /** Notebook 001: dynamic_rnn of BasicLSTMCell, last output. */
  static final Map<String, String> WHILE_LSTM = ordered(
      "Add", ADD + "; " + TWO_LOOPS, "AddV2", ADD,
      "Identity", IDENTITY + "; " + LOOP_IDENTITY,
      "Const", CONST,
      "Enter", LOOP_INVARIANTS + "; " + TWO_LOOPS,
      "Merge", LOOP_COUNTER + "; " + TWO_LOOPS, "Switch", LOOP_COUNTER + "; " + TWO_LOOPS,
      "NextIteration", LOOP_COUNTER + "; " + TWO_LOOPS,
      "LoopCond", TWO_LOOPS, "Exit", TWO_LOOPS,
      "TensorArrayV3", LOOP_INPUT + "; " + TAPE, "TensorArrayScatterV3", LOOP_INPUT,
      "TensorArrayReadV3", LOOP_INPUT, "TensorArrayWriteV3", TAPE + "; " + TWO_LOOPS,
      "GatherV2", LOOP_INPUT + "; " + LAST_STEP + "; " + ZERO_STATE + "; " + TWO_LOOPS,
      "LogicalAnd", LOOP_BOUND,
      "Range", LOOP_BOUND, "Less", LOOP_BOUND + "; " + TWO_LOOPS, "Min", TWO_LOOPS,
      "MatMul", HOISTED + "; " + TWO_LOOPS,
      "Sigmoid", TWO_LOOPS, "Tanh", TWO_LOOPS, "Mul", TWO_LOOPS,
      "PlaceholderWithDefault", SEQUENCE_LENGTH, "SelectV2", SEQUENCE_LENGTH,
      "ZerosLike", SEQUENCE_LENGTH,
      "Reshape", LAST_STEP + "; " + CROSS_ENTROPY + "; " + HOISTED,
      "Slice", CROSS_ENTROPY + "; " + HOISTED, "Sub", CROSS_ENTROPY + "; " + LAST_STEP,
      "Shape", CROSS_ENTROPY + "; " + ZERO_STATE + "; " + LOOP_BOUND,
      "ConcatV2", CROSS_ENTROPY + "; " + ZERO_STATE + "; " + HOISTED + "; " + GATE_TAPE,
      "ExpandDims", ZERO_STATE + "; " + SEQUENCE_LENGTH,
      "StridedSlice", ZERO_STATE + "; " + LOOP_BOUND);

  /** Notebook 002: dynamic_rnn of BasicRNNCell, dense on the final state, sparse labels. */
  static final Map<String, String> WHILE_RNN = ordered(
      "Add", ADD + "; " + TWO_LOOPS, "AddV2", ADD,
      "Identity", IDENTITY + "; " + LOOP_IDENTITY,
      "Const", CONST,
      "Enter", LOOP_COUNTER + "; " + LOOP_INVARIANTS + "; " + TWO_LOOPS,
      "Merge", TWO_LOOPS, "Switch", LOOP_COUNTER + "; " + TWO_LOOPS,
      "NextIteration", LOOP_COUNTER + "; " + TWO_LOOPS,
      "LoopCond", TWO_LOOPS, "Exit", TWO_LOOPS,
      "TensorArrayV3", LOOP_INPUT, "TensorArrayScatterV3", LOOP_INPUT,
      "TensorArrayReadV3", LOOP_INPUT,
      "GatherV2", LOOP_INPUT + "; " + ZERO_STATE + "; " + TWO_LOOPS,
      "LogicalAnd", LOOP_BOUND,
      "Range", LOOP_BOUND, "Less", TWO_LOOPS, "Min", TWO_LOOPS,
      "MatMul", HOISTED + "; " + TWO_LOOPS, "Tanh", TWO_LOOPS,
      "Reshape", HOISTED, "Slice", HOISTED,
      "PlaceholderWithDefault", SEQUENCE_LENGTH, "SelectV2", SEQUENCE_LENGTH,
      "ConcatV2", ZERO_STATE + "; " + HOISTED, "Pack", ZERO_STATE, "Fill", ZERO_STATE,
      "Shape", ZERO_STATE + "; " + LOOP_BOUND,
      "StridedSlice", ZERO_STATE + "; " + LOOP_BOUND);

  static Stream<String> presets() {
    return Presets.all().keySet().stream();
  }

  static Map<String, String> documentedDifferences(ModelSpec spec) {
    if (spec.unroll() == ModelSpec.Unroll.STATIC) {
      return STATIC;
    }
    return spec.cell() == ModelSpec.Cell.BASIC_LSTM ? WHILE_LSTM : WHILE_RNN;
  }

  @ParameterizedTest
  @MethodSource("presets")
  void javaGraphHasPythonsVariablesAndForwardOps(String preset) throws IOException {
    GraphFacts python = GraphFacts.read(PYTHON_FACTS.resolve(preset + ".json"));
    ModelSpec spec = Presets.named(preset).model();
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, spec);
      GraphFacts java = GraphFacts.of(graph, "loss");

      assertEquals(python.variables(), java.variables(),
          preset + ": variables (TF1 name -> dtype[shape]), Python's first");
      Map<String, Integer> differences = java.opCountsMinus(python);
      assertEquals(documentedDifferences(spec).keySet(), differences.keySet(),
          preset + ": op types whose count on the forward path differs from Python's graph"
              + " (Java minus Python: " + differences + "). Java: " + java.forwardOpTypes()
              + "; Python: " + python.forwardOpTypes()
              + ". List a new difference with its reason here and in the README.");
    }
  }

  @Test
  void notebook003SlicesItsInputAsTheNotebookWrites() {
    try (Graph graph = new Graph()) {
      ModelBuilder.build(graph, Presets.named("notebook-003").model());
      Map<String, String> expected = Map.of("transpose", "Transpose", "Reshape", "Reshape",
          "split", "Split");
      Map<String, String> actual = new TreeMap<>();
      for (String name : expected.keySet()) {
        GraphOperation op = graph.operation(name);
        assertNotNull(op, "notebook 003's op " + name);
        actual.put(name, op.type());
      }
      assertEquals(new TreeMap<>(expected), actual);
      assertEquals(28, graph.operation("split").numOutputs());
      assertEquals(null, graph.operation("unstack"));
    }
  }

  private static Map<String, String> ordered(String... typeAndReason) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < typeAndReason.length; i += 2) {
      map.put(typeAndReason[i], typeAndReason[i + 1]);
    }
    return map;
  }
}
