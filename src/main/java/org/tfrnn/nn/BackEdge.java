package org.tfrnn.nn;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_UpdateEdge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Input;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * Re-points one input of an existing graph op: how a while loop's back edge
 * Merge ← NextIteration is closed after the body exists (Python's {@code _AddNextAndBackEdge}
 * calls the same C function, {@code TF_UpdateEdge}).
 *
 * <p>TensorFlow Java has no public call for it. The C function is public in its JavaCPP bindings;
 * the graph's native handle is reached through {@code Graph.ref()}, the same counted reference
 * TensorFlow Java's own {@code Graph.whileLoop} holds while it builds, so the graph cannot be
 * closed underneath. TensorFlow checks the input index and that the new input's shape fits, and
 * reports a mismatch as a status, not a crash.
 */
final class BackEdge {
  private static final Method GRAPH_REF;
  private static final Method REFERENCE_HANDLE;

  static {
    try {
      GRAPH_REF = Graph.class.getDeclaredMethod("ref");
      GRAPH_REF.setAccessible(true);
      REFERENCE_HANDLE = GRAPH_REF.getReturnType().getDeclaredMethod("nativeHandle");
      REFERENCE_HANDLE.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "TensorFlow Java's Graph.ref() is not reachable (was TensorFlow Java upgraded, or is it"
              + " on the module path without --add-opens tensorflow/org.tensorflow=ALL-UNNAMED?): " + e);
    }
  }

  private BackEdge() {}

  /** Makes {@code source} the input {@code inputIndex} of {@code target}, both in {@code graph}. */
  static void connect(Graph graph, Output<?> source, GraphOperation target, int inputIndex) {
    if (source.op().env() != graph || target.env() != graph) {
      throw new IllegalArgumentException("a back edge must join two ops of the same graph");
    }
    try (AutoCloseable reference = (AutoCloseable) GRAPH_REF.invoke(graph);
        TF_Output from = new TF_Output();
        TF_Input to = new TF_Input();
        TF_Status status = TF_Status.newStatus()) {
      from.oper(((GraphOperation) source.op()).getUnsafeNativeHandle()).index(source.index());
      to.oper(target.getUnsafeNativeHandle()).index(inputIndex);
      TF_UpdateEdge((TF_Graph) REFERENCE_HANDLE.invoke(reference), from, to, status);
      status.throwExceptionIfNotOK();
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot reach the graph's native handle", e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot close the back edge into " + target.name(), e);
    }
  }
}
