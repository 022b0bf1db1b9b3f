package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * A TensorFlow while loop ({@link Graph#whileLoop}, the C API's v1 control flow) whose loop
 * variables are registered by slot instead of by array index. The C API's loop bodies cannot
 * capture outer tensors, so everything a body reads (weights, inputs, tensor arrays) is a loop
 * variable; variables must come in through {@code identity}, since a {@code float_ref} cannot.
 */
final class Loop {
  private final List<Output<?>> initialValues = new ArrayList<>();

  /** Registers a loop variable and returns its slot. */
  Slot add(Operand<?> initialValue) {
    initialValues.add(initialValue.asOutput());
    return new Slot(initialValues.size() - 1);
  }

  List<Slot> addAll(List<? extends Operand<?>> values) {
    List<Slot> slots = new ArrayList<>(values.size());
    values.forEach(v -> slots.add(add(v)));
    return slots;
  }

  /** Builds the loop; the results are indexed by the same slots. */
  Values build(Graph graph, String name, Condition condition, Body body) {
    Output<?>[] outputs =
        graph.whileLoop(
            initialValues.toArray(new Output<?>[0]),
            (g, in, out) -> out[0] = condition.build(Ops.create(g), new Values(in)).asOutput(),
            (g, in, out) -> {
              Values next = new Values(in.clone());
              body.build(Ops.create(g), new Values(in), next);
              System.arraycopy(next.outputs, 0, out, 0, out.length);
            },
            name);
    return new Values(outputs);
  }

  record Slot(int index) {}

  @FunctionalInterface
  interface Condition {
    Operand<org.tensorflow.types.TBool> build(Ops tf, Values current);
  }

  @FunctionalInterface
  interface Body {
    /** Reads {@code current} and sets in {@code next} every slot that changes. */
    void build(Ops tf, Values current, Values next);
  }

  /** Loop-variable values, typed on access. */
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
