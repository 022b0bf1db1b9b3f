package org.tfrnn.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;

/**
 * TensorFlow's native (C++) gradients, guarded: before calling {@link Graph#addGradients} it walks
 * the paths from each {@code x} to {@code y} and refuses, with a Java exception, any path through
 * a while loop. Gradients through {@link DynamicRnn} come from {@link DynamicRnnBackprop}.
 */
public final class Gradients {
  private static final Set<String> LOOP_OP_TYPES =
      Set.of("Enter", "Exit", "NextIteration", "LoopCond", "RefEnter", "RefExit",
          "RefNextIteration", "While", "StatelessWhile");

  private Gradients() {}

  /**
   * The partial derivatives of {@code y} with respect to each of {@code xs}; an entry is null where
   * {@code y} does not depend on that x (the native builder would fail on it).
   *
   * @throws WhileLoopGradientException if any x reaches y through a while loop
   */
  public static List<Output<?>> of(Operand<?> y, List<? extends Operand<?>> xs) {
    Graph graph = (Graph) y.env();
    Set<GraphOperation> upstreamOfY = upstream(y);
    List<Output<?>> reachable = new ArrayList<>();
    for (Operand<?> x : xs) {
      GraphOperation loopOp = firstLoopOpBetween(x, upstreamOfY);
      if (loopOp != null) {
        throw new WhileLoopGradientException(
            "TensorFlow's native gradient cannot be taken from '" + y.op().name() + "' to '"
                + x.op().name() + "': the path goes through the while loop op '" + loopOp.name()
                + "' (" + loopOp.type() + "), and TensorFlow Java aborts the JVM on it. "
                + "Take the gradients up to the loop's outputs and continue with "
                + "DynamicRnnBackprop (the library's back-propagation through time).");
      }
      if (upstreamOfY.contains((GraphOperation) x.op())) {
        reachable.add(x.asOutput());
      }
    }
    Output<?>[] grads =
        reachable.isEmpty()
            ? new Output<?>[0]
            : graph.addGradients(y.asOutput(), reachable.toArray(new Output<?>[0]));
    List<Output<?>> result = new ArrayList<>(xs.size());
    int next = 0;
    for (Operand<?> x : xs) {
      result.add(upstreamOfY.contains((GraphOperation) x.op()) ? grads[next++] : null);
    }
    return result;
  }

  /** Every op {@code y} depends on through data edges, y's own op included. */
  private static Set<GraphOperation> upstream(Operand<?> y) {
    Set<GraphOperation> seen = new HashSet<>();
    Deque<GraphOperation> queue = new ArrayDeque<>();
    GraphOperation start = (GraphOperation) y.op();
    seen.add(start);
    queue.add(start);
    while (!queue.isEmpty()) {
      GraphOperation op = queue.poll();
      for (Operand<?> input : op.inputs()) {
        GraphOperation source = (GraphOperation) input.op();
        if (seen.add(source)) {
          queue.add(source);
        }
      }
    }
    return seen;
  }

  /**
   * The first loop op on a data path from x forward to y, or null. These are exactly the ops the
   * native builder would visit.
   */
  private static GraphOperation firstLoopOpBetween(Operand<?> x, Set<GraphOperation> upstreamOfY) {
    GraphOperation start = (GraphOperation) x.op();
    if (!upstreamOfY.contains(start)) {
      return null;
    }
    Set<GraphOperation> seen = new HashSet<>();
    Deque<GraphOperation> queue = new ArrayDeque<>();
    seen.add(start);
    queue.add(start);
    while (!queue.isEmpty()) {
      GraphOperation op = queue.poll();
      if (LOOP_OP_TYPES.contains(op.type())) {
        return op;
      }
      for (GraphOperation consumer : op.consumers()) {
        if (upstreamOfY.contains(consumer) && seen.add(consumer)) {
          queue.add(consumer);
        }
      }
    }
    return null;
  }
}
