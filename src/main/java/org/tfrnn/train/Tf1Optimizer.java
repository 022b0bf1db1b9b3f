package org.tfrnn.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;
import org.tfrnn.nn.Gradients;
import org.tfrnn.nn.Variables;

/**
 * Base of the TF1-style optimizers on the framework's {@link Optimizer} (so {@code minimize},
 * {@code computeGradients} and {@code applyGradients} are the framework's entry points), with what
 * the notebooks need and the framework's classes lack: a learning rate that is a tensor (for
 * {@code exponential_decay}), an optional global step incremented after every update, only the
 * listed trainable variables, TF1 slot names, and gradients taken through {@link Gradients}, so an
 * attempt through a while loop throws instead of aborting the JVM.
 */
public abstract class Tf1Optimizer extends Optimizer {
  protected final Ops ops;
  protected final Operand<TFloat32> learningRate;
  private final List<Variable<TFloat32>> trainable;
  private final Variable<? extends TNumber> globalStep;

  /**
   * @param trainable the variables to train (the framework's default would take every variable in
   *     the graph, global step and slots included)
   * @param globalStep incremented once per update after all variables are updated; may be null
   *     unless the learning rate reads it
   */
  protected Tf1Optimizer(
      Graph graph, String name, List<Variable<TFloat32>> trainable, LearningRate learningRate,
      Variable<? extends TNumber> globalStep) {
    super(graph, name);
    if (learningRate.needsGlobalStep() && globalStep == null) {
      throw new IllegalArgumentException(learningRate + " needs a global step");
    }
    this.ops = Ops.create(graph).withSubScope(name);
    this.trainable = List.copyOf(trainable);
    this.globalStep = globalStep;
    this.learningRate = learningRate.build(ops, globalStep);
  }

  /** The learning-rate tensor (evaluate it to log the current rate). */
  public Operand<TFloat32> learningRate() {
    return learningRate;
  }

  @Override
  public <T extends TType> List<GradAndVar<?>> computeGradients(Operand<?> loss) {
    List<Output<?>> gradients = Gradients.of(loss, trainable);
    List<GradAndVar<?>> pairs = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      if (gradients.get(i) != null) {
        pairs.add(pair(gradients.get(i), trainable.get(i)));
      }
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException(
          "the loss '" + loss.op().name() + "' depends on none of the trainable variables");
    }
    return pairs;
  }

  /** A (gradient, variable) pair for {@link #applyGradients}; the gradient must be float32. */
  public static GradAndVar<TFloat32> pair(Output<?> gradient, Variable<TFloat32> variable) {
    if (gradient.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "gradient of " + variable.op().name() + " is " + gradient.dataType() + ", not float");
    }
    @SuppressWarnings("unchecked")
    Output<TFloat32> floatGradient = (Output<TFloat32>) gradient;
    return new GradAndVar<>(floatGradient, variable.asOutput());
  }

  /** The TF1 update ops are done; the global step goes up once they all have run. */
  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    List<Op> all = new ArrayList<>(updateOperations);
    all.addAll(afterUpdates(ops.withControlDependencies(updateOperations)));
    if (globalStep != null) {
      all.add(increment(ops, all, globalStep));
    }
    return super.finish(all, name);
  }

  private static <T extends TNumber> Op increment(Ops tf, List<Op> after, Variable<T> counter) {
    Operand<T> one = Variables.integer(tf, 1, counter.type());
    return tf.withControlDependencies(after).withName("increment_global_step")
        .assignAdd(counter, one);
  }

  /** Ops that must run after every variable update (Adam's beta powers). */
  protected List<Op> afterUpdates(Ops afterUpdates) {
    return List.of();
  }

  /** {@code update_rnn_basic_lstm_cell_kernel}: op names cannot nest under a variable's name. */
  protected static String updateName(Output<?> variable) {
    return "update_" + variable.op().name().replace('/', '_');
  }

  /** Casts a float32 operand to the generic type of a variable known to be float32. */
  @SuppressWarnings("unchecked")
  protected static <T extends TType> Operand<T> asType(Operand<TFloat32> value, Output<T> like) {
    if (like.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          like.op().name() + " is " + like.dataType() + "; only float variables are supported");
    }
    return (Operand<T>) value;
  }
}
