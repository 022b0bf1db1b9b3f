package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Operands;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Creates the graph's variables under exact TF1 names (so checkpoints cross between Java and
 * Python by name) and remembers which ones are trainable.
 */
public final class Variables {
  private static final String ASSIGN = "Assign";

  private final Seeds seeds;
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();

  public Variables(Seeds seeds) {
    this.seeds = seeds;
  }

  /**
   * A trainable float variable named {@code name} inside {@code scope}, laid out as TF1 lays it
   * out: the initial value under {@code <name>/Initializer/...}, assigned by {@code <name>/Assign}.
   */
  public Variable<TFloat32> trainable(Ops scope, String name, Shape shape, Initializer initializer) {
    Variable<TFloat32> variable =
        create(scope, name, shape, TFloat32.class,
            init -> initializer.build(init.withSubScope("Initializer"), shape, seeds));
    trainable.add(variable);
    return variable;
  }

  /**
   * A float variable that is not trained (an optimizer slot, a beta power) with the exact name
   * {@code fullName}, starting at {@code value}; its initial-value ops go under {@code scope}.
   */
  public static Variable<TFloat32> nonTrainable(
      Ops scope, String fullName, Shape shape, float value) {
    Ops init = scope.withInitScope();
    Operand<TFloat32> initial = init.fill(init.constant(shape), init.constant(value));
    return build(init, fullName, fullName + "/" + ASSIGN, shape, TFloat32.class, initial);
  }

  /** An int64 scalar counter such as TF1's {@code global_step}, starting at zero. */
  public static Variable<TInt64> counter(Ops scope, String name) {
    return counter(scope, name, TInt64.class);
  }

  /**
   * A scalar counter starting at zero: int64 as {@code tf.train.get_or_create_global_step()}
   * makes it, or int32 as a notebook's {@code tf.Variable(0, trainable=False)}.
   */
  public static <T extends TNumber> Variable<T> counter(Ops scope, String name, Class<T> type) {
    return create(scope, name, Shape.scalar(), type, init -> integer(init, 0, type));
  }

  /** A scalar int32 or int64 constant of {@code type}, as Python makes for an int literal. */
  @SuppressWarnings("unchecked")
  public static <T extends TNumber> Operand<T> integer(Ops tf, int value, Class<T> type) {
    if (type == TInt64.class) {
      return (Operand<T>) tf.constant((long) value);
    }
    if (type == TInt32.class) {
      return (Operand<T>) tf.constant(value);
    }
    throw new IllegalArgumentException("a counter is int32 or int64, not " + type.getSimpleName());
  }

  /** Trainable variables in creation order. */
  public List<Variable<TFloat32>> trainableVariables() {
    return Collections.unmodifiableList(trainable);
  }

  /**
   * TensorFlow Java gives ops and sub-scopes one shared namespace, so opening the {@code <name>/}
   * scope first would rename a later {@code <name>} op to {@code <name>_1}. The variable and its
   * Assign are therefore built with explicit names once the scope exists.
   */
  private static <T extends TType> Variable<T> create(
      Ops scope, String name, Shape shape, Class<T> type, Function<Ops, Operand<T>> initialValue) {
    Ops init = scope.withInitScope().withSubScope(name);
    Operand<T> value = initialValue.apply(init);
    String assignName = init.scope().makeOpName(ASSIGN);
    String variableName = assignName.substring(0, assignName.length() - ASSIGN.length() - 1);
    return build(init, variableName, assignName, shape, type, value);
  }

  /** A VariableV2 and its initializing Assign, both under explicit names in the init scope. */
  private static <T extends TType> Variable<T> build(
      Ops init, String variableName, String assignName, Shape shape, Class<T> type,
      Operand<T> value) {
    ExecutionEnvironment env = init.scope().env();
    Variable<T> variable =
        new Variable<>(
            env.opBuilder(Variable.OP_NAME, variableName, init.scope())
                .setAttr("shape", shape)
                .setAttr("dtype", Operands.toDataType(type))
                .build());
    new Assign<T>(
        env.opBuilder(Assign.OP_NAME, assignName, init.scope())
            .addInput(variable.asOutput())
            .addInput(value.asOutput())
            .build());
    return variable;
  }
}
