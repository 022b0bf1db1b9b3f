package org.tfrnn.workflows;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tfrnn.nn.BasicRnnCell;
import org.tfrnn.nn.DynamicRnn;
import org.tfrnn.nn.Initializer;
import org.tfrnn.nn.RnnCell;
import org.tfrnn.nn.Seeds;
import org.tfrnn.nn.StaticRnn;
import org.tfrnn.nn.Variables;
import org.tfrnn.tensors.Tensors;

/**
 * Notebook 002's small demos, ported: the two-step RNN written out by hand, static_rnn against
 * dynamic_rnn on one 4x2x3 batch, and a variable-length batch with sequence_length = [1, 2].
 * Each returns the numbers it printed so tests can check them.
 */
public final class Notebook002Demos {
  static final float[][] X0 = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 0, 1}};
  static final float[][] X1 = {{9, 8, 7}, {0, 0, 0}, {6, 5, 4}, {3, 2, 1}};

  private Notebook002Demos() {}

  /** y0, y1 [4, 5] and the weights wx [3, 5], wy [5, 5], b [1, 5] they came from. */
  public record FromScratch(float[] y0, float[] y1, float[] wx, float[] wy, float[] b) {}

  /** Outputs [4, 2, 5] of both unrolls with one set of weights. */
  public record StaticVsDynamic(float[] staticOutputs, float[] dynamicOutputs) {}

  /** Outputs [2, 2, 1] and final state [2, 1] for x = [[[2],[0]], [[1],[1]]], lengths [1, 2]. */
  public record VariableLength(float[] outputs, float[] state) {}

  public static FromScratch fromScratch(long seed, Consumer<String> out) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Variables variables = new Variables(new Seeds(seed));
      var x0 = tf.withName("x0").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      var x1 = tf.withName("x1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Initializer normal = new Initializer.RandomNormal(0f, 1f);
      var wx = variables.trainable(tf, "wx", Shape.of(3, 5), normal);
      var wy = variables.trainable(tf, "wy", Shape.of(5, 5), normal);
      var b = variables.trainable(tf, "b", Shape.of(1, 5), new Initializer.Zeros());
      Operand<TFloat32> y0 = tf.math.tanh(tf.math.add(tf.linalg.matMul(x0, wx), b));
      Operand<TFloat32> y1 = tf.math.tanh(tf.math.add(
          tf.math.add(tf.linalg.matMul(x1, wx), tf.linalg.matMul(y0, wy)), b));
      try (var x0Value = Tensors.floats(flatten(X0), 4, 3);
          var x1Value = Tensors.floats(flatten(X1), 4, 3);
          Result r = session.runner().feed(x0, x0Value).feed(x1, x1Value)
              .fetch(y0).fetch(y1).fetch(wx).fetch(wy).fetch(b).run()) {
        FromScratch result = new FromScratch(Tensors.toFloatArray(r.get(0)),
            Tensors.toFloatArray(r.get(1)), Tensors.toFloatArray(r.get(2)),
            Tensors.toFloatArray(r.get(3)), Tensors.toFloatArray(r.get(4)));
        out.accept("# Simple RNN from scratch: y0 = tanh(x0 wx + b), y1 = tanh(x1 wx + y0 wy + b)");
        out.accept("y0_val\n" + numpy(result.y0(), 4, 5));
        out.accept("y1_val\n" + numpy(result.y1(), 4, 5));
        return result;
      }
    }
  }

  public static StaticVsDynamic staticVsDynamic(long seed, Consumer<String> out) {
    float[][][] batch = {
        {{0, 1, 2}, {9, 8, 7}}, {{3, 4, 5}, {0, 0, 0}}, {{6, 7, 8}, {6, 5, 4}}, {{9, 0, 1}, {3, 2, 1}}};
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      RnnCell cell = new BasicRnnCell(3, 5);
      var x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, 3)));
      Ops rnn = tf.withSubScope("rnn");
      RnnCell.CellWeights weights =
          cell.createWeights(rnn.withSubScope(cell.scopeName()), new Variables(new Seeds(seed)));
      List<Operand<TFloat32>> steps = new ArrayList<>();
      tf.unstack(x, 2L, Unstack.axis(1L)).output().forEach(steps::add);
      StaticRnn.Result unrolled =
          StaticRnn.unroll(tf.withSubScope("static_rnn"), cell, weights, steps);
      Operand<TFloat32> staticOutputs = tf.stack(unrolled.outputs(), Stack.axis(1L));
      DynamicRnn.Result looped = DynamicRnn.build(rnn, cell, weights, x, null, null);
      try (var xValue = Tensors.floats(flatten(batch), 4, 2, 3);
          Result r = session.runner().feed(x, xValue).fetch(staticOutputs)
              .fetch(looped.outputs()).run()) {
        StaticVsDynamic result = new StaticVsDynamic(
            Tensors.toFloatArray(r.get(0)), Tensors.toFloatArray(r.get(1)));
        out.accept("# static_rnn and dynamic_rnn, one BasicRNNCell(5), the same 4x2x3 batch");
        out.accept("static_rnn outputs\n" + numpy(result.staticOutputs(), 4, 2, 5));
        out.accept("dynamic_rnn outputs\n" + numpy(result.dynamicOutputs(), 4, 2, 5));
        out.accept("max |static - dynamic| = "
            + maxAbsDiff(result.staticOutputs(), result.dynamicOutputs()));
        return result;
      }
    }
  }

  public static VariableLength variableLength(long seed, Consumer<String> out) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      RnnCell cell = new BasicRnnCell(1, 1);
      var x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, 1)));
      var lengths = tf.withName("seq_length").placeholder(org.tensorflow.types.TInt32.class,
          Placeholder.shape(Shape.of(-1)));
      Ops rnn = tf.withSubScope("rnn");
      RnnCell.CellWeights weights =
          cell.createWeights(rnn.withSubScope(cell.scopeName()), new Variables(new Seeds(seed)));
      DynamicRnn.Result looped = DynamicRnn.build(rnn, cell, weights, x, lengths, null);
      try (var xValue = Tensors.floats(new float[] {2, 0, 1, 1}, 2, 2, 1);
          var lengthValue = Tensors.ints(new int[] {1, 2}, 2);
          Result r = session.runner().feed(x, xValue).feed(lengths, lengthValue)
              .fetch(looped.outputs()).fetch(looped.finalState().get(0)).run()) {
        VariableLength result = new VariableLength(
            Tensors.toFloatArray(r.get(0)), Tensors.toFloatArray(r.get(1)));
        out.accept("# Variable-length input: x_batch = [[[2],[0]], [[1],[1]]], "
            + "seq_length_batch = [1, 2]");
        out.accept("outputs_val\n" + numpy(result.outputs(), 2, 2, 1));
        out.accept("states_val\n" + numpy(result.state(), 2, 1));
        return result;
      }
    }
  }

  /** numpy's repr of a float32 array, e.g. {@code array([[ 0.29, -0.41]], dtype=float32)}. */
  static String numpy(float[] values, int... shape) {
    StringBuilder s = new StringBuilder("array(");
    append(s, values, shape, 0, 0, "       ");
    return s.append(", dtype=float32)").toString();
  }

  private static int append(StringBuilder s, float[] values, int[] shape, int axis, int offset,
      String indent) {
    s.append('[');
    int stride = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      stride *= shape[i];
    }
    for (int i = 0; i < shape[axis]; i++) {
      if (axis == shape.length - 1) {
        if (i > 0) {
          s.append(", ");
        }
        s.append(String.format(Locale.ROOT, "%11.8f", values[offset + i]));
      } else {
        if (i > 0) {
          s.append(",\n").append(axis < shape.length - 2 ? "\n" : "").append(indent)
              .append(" ".repeat(axis));
        }
        append(s, values, shape, axis + 1, offset + i * stride, indent);
      }
    }
    s.append(']');
    return offset;
  }

  static float maxAbsDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static float[] flatten(float[][] rows) {
    float[] flat = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * rows[i].length, rows[i].length);
    }
    return flat;
  }

  private static float[] flatten(float[][][] values) {
    List<Float> all = new ArrayList<>();
    for (float[][] a : values) {
      for (float[] b : a) {
        for (float v : b) {
          all.add(v);
        }
      }
    }
    float[] flat = new float[all.size()];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = all.get(i);
    }
    return flat;
  }
}
