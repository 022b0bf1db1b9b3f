package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tfrnn.tensors.Tensors;

/**
 * A test graph with the RNN's inputs and weights as placeholders, so the static and the while-loop
 * unroll can be fed the same numbers. Closes its graph and every tensor it made.
 */
final class RnnGraph implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final RnnCell cell;
  final Placeholder<TFloat32> x;
  final Placeholder<TFloat32> kernel;
  final Placeholder<TFloat32> bias;
  final Placeholder<TInt32> lengths;
  final List<Placeholder<TFloat32>> initialState = new ArrayList<>();
  private final Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();

  RnnGraph(RnnCell cell, int time) {
    this.cell = cell;
    x = tf.withName("x").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, time, cell.inputSize())));
    kernel = tf.withName("kernel").placeholder(TFloat32.class);
    bias = tf.withName("bias").placeholder(TFloat32.class);
    lengths = tf.withName("lengths").placeholder(TInt32.class);
    for (int i = 0; i < cell.stateSize(); i++) {
      initialState.add(tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, cell.units()))));
    }
  }

  RnnCell.CellWeights weights() {
    return new RnnCell.CellWeights(kernel, bias);
  }

  List<Operand<TFloat32>> initialStateOperands() {
    return new ArrayList<>(initialState);
  }

  StaticRnn.Result staticRnn(int time, boolean withLengths, boolean withInitialState) {
    List<Operand<TFloat32>> steps = new ArrayList<>();
    tf.unstack(x, (long) time, org.tensorflow.op.core.Unstack.axis(1L)).output().forEach(steps::add);
    return StaticRnn.unroll(tf.withSubScope("static"), cell, weights(), steps,
        withLengths ? lengths : null, withInitialState ? initialStateOperands() : null);
  }

  DynamicRnn.Result dynamicRnn(boolean withLengths, boolean withInitialState) {
    return DynamicRnn.build(tf.withSubScope("rnn"), cell, weights(), x,
        withLengths ? lengths : null, withInitialState ? initialStateOperands() : null);
  }

  void feed(Operand<?> placeholder, Tensor value) {
    feeds.put(placeholder, value);
  }

  /** Runs the graph and returns each fetched float tensor as a flat array. */
  List<float[]> run(List<? extends Operand<?>> fetches) {
    Session session = new Session(graph);
    try (session) {
      Session.Runner runner = session.runner();
      feeds.forEach(runner::feed);
      fetches.forEach(runner::fetch);
      try (Result result = runner.run()) {
        return Tensors.toFloatArrays(result);
      }
    }
  }

  @Override
  public void close() {
    feeds.values().forEach(Tensor::close);
    graph.close();
  }
}
