package org.tfrnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tfrnn.tensors.Tensors;

/** Both unrolls of both cells against the plain-Java reference, and against each other. */
class RnnForwardTest {
  private static final int BATCH = 3;
  private static final int TIME = 5;
  private static final int INPUT = 4;
  private static final int UNITS = 6;

  static RnnCell cellOf(ReferenceRnn.Kind kind) {
    return kind == ReferenceRnn.Kind.LSTM
        ? new BasicLstmCell(INPUT, UNITS, 1.0f)
        : new BasicRnnCell(INPUT, UNITS);
  }

  /** What {@link #feedRandom} fed: the plain-Java model with the same weights, and the inputs. */
  record Fed(ReferenceRnn reference, double[][][] inputs) {
    ReferenceRnn.Run expected(int[] lengths) {
      return reference.run(inputs, lengths);
    }
  }

  /** Random weights, inputs and lengths fed into {@code graph}. */
  static Fed feedRandom(RnnGraph graph, long seed, int[] lengths) {
    RnnCell cell = graph.cell;
    TestData data = new TestData(seed);
    int width = cell.gateCount() * cell.units();
    float[] kernel = data.uniform((cell.inputSize() + cell.units()) * width, 0.5);
    float[] bias = data.uniform(width, 0.3);
    float[] x = data.uniform(BATCH * TIME * cell.inputSize(), 1.0);
    graph.feed(graph.kernel, Tensors.floats(kernel, cell.inputSize() + cell.units(), width));
    graph.feed(graph.bias, Tensors.floats(bias, width));
    graph.feed(graph.x, Tensors.floats(x, BATCH, TIME, cell.inputSize()));
    if (lengths != null) {
      graph.feed(graph.lengths, Tensors.ints(lengths, lengths.length));
    }
    ReferenceRnn.Kind kind =
        cell instanceof BasicLstmCell ? ReferenceRnn.Kind.LSTM : ReferenceRnn.Kind.RNN;
    ReferenceRnn reference = new ReferenceRnn(kind, cell.inputSize(), cell.units(), 1.0, kernel, bias);
    return new Fed(reference, TestData.reshape3(x, BATCH, TIME, cell.inputSize()));
  }

  @ParameterizedTest
  @EnumSource(ReferenceRnn.Kind.class)
  void staticUnrollMatchesPlainJava(ReferenceRnn.Kind kind) {
    try (RnnGraph graph = new RnnGraph(cellOf(kind), TIME)) {
      Fed fed = feedRandom(graph, 11, null);
      StaticRnn.Result rnn = graph.staticRnn(TIME, false, false);
      // The final h is the last output tensor itself (a session cannot fetch one tensor twice).
      int h = graph.cell.hiddenStateIndex();
      assertEquals(rnn.lastOutput().asOutput(), rnn.finalState().get(h).asOutput());
      List<Operand<?>> fetches = new ArrayList<>(rnn.outputs());
      if (kind == ReferenceRnn.Kind.LSTM) {
        fetches.add(rnn.finalState().get(BasicLstmCell.C));
      }
      List<float[]> values = graph.run(fetches);

      ReferenceRnn.Run expected = fed.expected(null);
      for (int t = 0; t < TIME; t++) {
        assertStepEquals(expected.outputs(), t, values.get(t), 1e-5);
      }
      assertMatrixEquals(expected.finalH(), values.get(TIME - 1), 1e-5);
      if (kind == ReferenceRnn.Kind.LSTM) {
        assertMatrixEquals(expected.finalC(), values.get(TIME), 1e-5);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReferenceRnn.Kind.class)
  void whileLoopEqualsStaticUnroll(ReferenceRnn.Kind kind) {
    try (RnnGraph graph = new RnnGraph(cellOf(kind), TIME)) {
      feedRandom(graph, 12, null);
      StaticRnn.Result unrolled = graph.staticRnn(TIME, false, false);
      DynamicRnn.Result looped = graph.dynamicRnn(false, false);
      List<Operand<?>> fetches = new ArrayList<>();
      fetches.add(graph.tf.stack(unrolled.outputs(), org.tensorflow.op.core.Stack.axis(1L)));
      fetches.add(looped.outputs());
      fetches.addAll(unrolled.finalState());
      fetches.addAll(looped.finalState());
      List<float[]> values = graph.run(fetches);

      assertArrayClose(values.get(0), values.get(1), 1e-6, "outputs");
      int parts = graph.cell.stateSize();
      for (int i = 0; i < parts; i++) {
        assertArrayClose(values.get(2 + i), values.get(2 + parts + i), 1e-6, "state " + i);
      }
    }
  }

  /**
   * "5 2 0": rows past their end from the first step; "5 5 3": every row running (the loop's
   * unmasked branch) until step 3, then one row carried.
   */
  @ParameterizedTest(name = "{0}, lengths={1}")
  @org.junit.jupiter.params.provider.CsvSource({"LSTM,5 2 0", "RNN,5 2 0", "LSTM,5 5 3",
      "RNN,5 5 3"})
  void whileLoopWithSequenceLengthsMatchesPlainJava(ReferenceRnn.Kind kind, String lengthList) {
    int[] lengths =
        java.util.Arrays.stream(lengthList.split(" ")).mapToInt(Integer::parseInt).toArray();
    try (RnnGraph graph = new RnnGraph(cellOf(kind), TIME)) {
      Fed fed = feedRandom(graph, 13, lengths);
      DynamicRnn.Result looped = graph.dynamicRnn(true, false);
      List<Operand<?>> fetches = new ArrayList<>();
      fetches.add(looped.outputs());
      fetches.addAll(looped.finalState());
      List<float[]> values = graph.run(fetches);

      ReferenceRnn.Run expected = fed.expected(lengths);
      float[] outputs = values.get(0);
      for (int b = 0; b < BATCH; b++) {
        for (int t = 0; t < TIME; t++) {
          for (int u = 0; u < UNITS; u++) {
            float actual = outputs[(b * TIME + t) * UNITS + u];
            if (t >= lengths[b]) {
              assertEquals(0f, actual, "output past the end must be zero, b=" + b + " t=" + t);
            } else {
              assertEquals(expected.outputs()[b][t][u], actual, 1e-5, "b=" + b + " t=" + t);
            }
          }
        }
      }
      // The final state is the state at each sequence's own end (zero for an empty sequence).
      assertMatrixEquals(expected.finalH(), values.get(values.size() - 1), 1e-5);
      if (kind == ReferenceRnn.Kind.LSTM) {
        assertMatrixEquals(expected.finalC(), values.get(1), 1e-5);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReferenceRnn.Kind.class)
  void whileLoopRunsSequencesOfAnyLengthInOneGraph(ReferenceRnn.Kind kind) {
    RnnCell cell = cellOf(kind);
    try (RnnGraph graph = new RnnGraph(cell, -1)) {
      DynamicRnn.Result looped = graph.dynamicRnn(false, false);
      TestData data = new TestData(14);
      int width = cell.gateCount() * UNITS;
      float[] kernel = data.uniform((INPUT + UNITS) * width, 0.5);
      float[] bias = data.uniform(width, 0.3);
      ReferenceRnn reference = new ReferenceRnn(kind, INPUT, UNITS, 1.0, kernel, bias);
      for (int time : new int[] {1, 3, 9}) {
        float[] x = data.uniform(2 * time * INPUT, 1.0);
        try (var kernelT = Tensors.floats(kernel, INPUT + UNITS, width);
            var biasT = Tensors.floats(bias, width);
            var xT = Tensors.floats(x, 2, time, INPUT);
            var session = new org.tensorflow.Session(graph.graph);
            var result = session.runner().feed(graph.kernel, kernelT).feed(graph.bias, biasT)
                .feed(graph.x, xT).fetch(looped.outputs()).run()) {
          float[] outputs = Tensors.toFloatArray(result.get(0));
          assertEquals(2 * time * UNITS, outputs.length);
          ReferenceRnn.Run expected = reference.run(TestData.reshape3(x, 2, time, INPUT), null);
          for (int b = 0; b < 2; b++) {
            for (int t = 0; t < time; t++) {
              for (int u = 0; u < UNITS; u++) {
                assertEquals(expected.outputs()[b][t][u], outputs[(b * time + t) * UNITS + u],
                    1e-5, "time=" + time);
              }
            }
          }
        }
      }
    }
  }

  private static void assertStepEquals(double[][][] expected, int t, float[] actual, double tol) {
    for (int b = 0; b < BATCH; b++) {
      for (int u = 0; u < UNITS; u++) {
        assertEquals(expected[b][t][u], actual[b * UNITS + u], tol, "b=" + b + " t=" + t);
      }
    }
  }

  private static void assertMatrixEquals(double[][] expected, float[] actual, double tol) {
    for (int b = 0; b < expected.length; b++) {
      for (int u = 0; u < expected[b].length; u++) {
        assertEquals(expected[b][u], actual[b * expected[b].length + u], tol, "b=" + b + " u=" + u);
      }
    }
  }

  static void assertArrayClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
    }
  }
}
