package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Enter;
import org.tensorflow.op.core.Merge;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * A TensorFlow while loop built from TF1's raw control-flow ops, wired as Python's
 * {@code tf.while_loop} (its {@code WhileContext}) wires them:
 *
 * <ul>
 *   <li>a <em>loop variable</em> (state that changes per iteration) enters the frame through an
 *       {@code Enter}, then cycles through {@code Merge} → {@code Switch} → body →
 *       {@code NextIteration} → back into the {@code Merge}, and leaves through an {@code Exit};
 *   <li>an <em>invariant</em> (weights, inputs, lengths, TensorArray handles) enters once through
 *       an {@code Enter(is_constant=true)}: the executor hands it to every iteration without any
 *       per-iteration op.
 * </ul>
 *
 * <p>The C API's {@code Graph.whileLoop} cannot capture outer tensors, so there every invariant
 * was a loop variable and cost a Merge, Switch and NextIteration per iteration. The condition's
 * and body's ops carry a control input from the frame's pivot (the first Merge, the Identity of the
 * first loop variable) so that ops without data inputs, such as constants, run inside the frame
 * once per iteration. The back edge Merge ← NextIteration is closed with the C API's
 * {@code TF_UpdateEdge} ({@link BackEdge}), as Python does. Variables must come in as values (an
 * {@code identity} or a slice), since a {@code float_ref} cannot enter through {@code Enter}.
 */
final class Loop {
  /** Python's {@code while_loop} default; {@code dynamic_rnn} uses the same. */
  static final long PARALLEL_ITERATIONS = 32;

  private final List<Output<?>> initialValues = new ArrayList<>();
  private final List<Boolean> invariant = new ArrayList<>();

  /** Registers a loop variable (state that changes each iteration) and returns its slot. */
  Slot add(Operand<?> initialValue) {
    return register(initialValue, false);
  }

  List<Slot> addAll(List<? extends Operand<?>> values) {
    List<Slot> slots = new ArrayList<>(values.size());
    values.forEach(v -> slots.add(add(v)));
    return slots;
  }

  /** Registers a value the condition or body reads but never changes; it enters the frame once. */
  Slot addInvariant(Operand<?> value) {
    return register(value, true);
  }

  private Slot register(Operand<?> value, boolean isInvariant) {
    initialValues.add(value.asOutput());
    invariant.add(isInvariant);
    return new Slot(initialValues.size() - 1);
  }

  /**
   * Builds the loop under {@code scope}'s sub-scope {@code name} (Python's is {@code while}), its
   * frame named {@code <scope>/<name>/while_context}. The first registered loop
   * variable is the frame's pivot (the condition must read some loop variable anyway). The results
   * are indexed by the same slots: a loop variable's value after the last iteration, an
   * invariant's outer value.
   */
  Values build(Ops scope, String name, Condition condition, Body body) {
    int pivotSlot = invariant.indexOf(false);
    if (pivotSlot < 0) {
      throw new IllegalStateException("a while loop needs at least one loop variable");
    }
    Graph graph = (Graph) scope.scope().env();
    Ops loop = scope.withSubScope(name);
    String frame = loop.scope().makeOpName("while_context");
    int count = initialValues.size();
    Output<?>[] current = new Output<?>[count];
    List<Merge<?>> merges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Output<?> entered = enter(loop, initialValues.get(i), frame, invariant.get(i));
      // The Merge's second input is a placeholder until the NextIteration exists.
      Merge<?> merge = invariant.get(i) ? null : merge(loop, entered);
      merges.add(merge);
      current[i] = merge == null ? entered : merge.output();
    }

    Ops conditionOps = loop.withSubScope("cond")
        .withControlDependencyOps(List.of(merges.get(pivotSlot).op()));
    Operand<TBool> predicate =
        loop.loopCond(condition.build(conditionOps, new Values(current.clone())));

    Output<?>[] inBody = current.clone();
    List<SwitchCond<?>> switches = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      SwitchCond<?> routed = invariant.get(i) ? null : loop.switchCond(current[i], predicate);
      switches.add(routed);
      if (routed != null) {
        inBody[i] = routed.outputTrue();
      }
    }
    // The body's pivot must be dead once the loop ends, so that input-less ops stop with it.
    Output<?> pivot = loop.identity(inBody[pivotSlot]).asOutput();
    inBody[pivotSlot] = pivot;

    Values next = new Values(inBody.clone());
    body.build(loop.withSubScope("body").withControlDependencyOps(List.of(pivot.op())),
        new Values(inBody), next);

    Output<?>[] results = new Output<?>[count];
    for (int i = 0; i < count; i++) {
      if (invariant.get(i)) {
        if (next.outputs[i] != inBody[i]) {
          throw new IllegalStateException("the loop body changed invariant slot " + i);
        }
        results[i] = initialValues.get(i);
        continue;
      }
      if (next.outputs[i].dataType() != initialValues.get(i).dataType()) {
        throw new IllegalStateException("the loop body turned slot " + i + " from "
            + initialValues.get(i).dataType() + " into " + next.outputs[i].dataType());
      }
      Output<?> nextValue = loop.nextIteration(next.outputs[i]).asOutput();
      BackEdge.connect(graph, nextValue, (GraphOperation) merges.get(i).op(), 1);
      results[i] = loop.exit(switches.get(i).outputFalse()).asOutput();
    }
    return new Values(results);
  }

  private static <T extends TType> Output<T> enter(
      Ops loop, Output<T> value, String frame, boolean isConstant) {
    return loop.enter(value, frame,
        Enter.isConstant(isConstant), Enter.parallelIterations(PARALLEL_ITERATIONS)).output();
  }

  private static <T extends TType> Merge<T> merge(Ops loop, Output<T> entered) {
    return loop.merge(List.of(entered, entered));
  }

  record Slot(int index) {}

  @FunctionalInterface
  interface Condition {
    Operand<TBool> build(Ops tf, Values current);
  }

  @FunctionalInterface
  interface Body {
    /** Reads {@code current} and sets in {@code next} every loop variable that changes. */
    void build(Ops tf, Values current, Values next);
  }

  /** Loop-variable and invariant values, typed on access. */
  static final class Values {
    private final Output<?>[] outputs;

    Values(Output<?>[] outputs) {
      this.outputs = outputs;
    }

    @SuppressWarnings("unchecked")
    <T extends TType> Operand<T> get(Slot slot) {
      return (Operand<T>) outputs[slot.index()];
    }

    Operand<TFloat32> floats(Slot slot) {
      return get(slot);
    }

    Operand<TInt32> ints(Slot slot) {
      return get(slot);
    }

    List<Operand<TFloat32>> floats(List<Slot> slots) {
      List<Operand<TFloat32>> values = new ArrayList<>(slots.size());
      slots.forEach(s -> values.add(floats(s)));
      return values;
    }

    void set(Slot slot, Operand<?> value) {
      outputs[slot.index()] = value.asOutput();
    }
  }
}
