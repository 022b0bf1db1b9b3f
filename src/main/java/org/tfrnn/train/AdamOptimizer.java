package org.tfrnn.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;
import org.tfrnn.nn.Variables;

/**
 * {@code tf.train.AdamOptimizer} on TensorFlow's {@code ApplyAdam} kernel, with TF1's variable
 * names: slots {@code <var>/Adam} (m) and {@code <var>/Adam_1} (v), and the scalars {@code
 * beta1_power} and {@code beta2_power}, updated only after every variable has been, so a checkpoint
 * written here restores into a Python AdamOptimizer and the other way round.
 */
public final class AdamOptimizer extends Tf1Optimizer {
  public static final float BETA1 = 0.9f;
  public static final float BETA2 = 0.999f;
  public static final float EPSILON = 1e-8f;

  private final Map<String, Variable<TFloat32>[]> slots = new HashMap<>();
  private Variable<TFloat32> beta1Power;
  private Variable<TFloat32> beta2Power;

  public AdamOptimizer(
      Graph graph, List<Variable<TFloat32>> trainable, LearningRate learningRate,
      Variable<? extends TNumber> globalStep) {
    super(graph, "Adam", trainable, learningRate, globalStep);
  }

  @Override
  public String getOptimizerName() {
    return "Adam";
  }

  @Override
  protected void createSlots(List<Output<? extends TType>> variables) {
    Ops slotScope = ops.withSubScope("slots");
    for (Output<? extends TType> variable : variables) {
      String name = variable.op().name();
      @SuppressWarnings("unchecked")
      Variable<TFloat32>[] moments = new Variable[] {
          Variables.nonTrainable(slotScope, name + "/Adam", variable.shape(), 0f),
          Variables.nonTrainable(slotScope, name + "/Adam_1", variable.shape(), 0f)};
      slots.put(name, moments);
    }
    beta1Power = Variables.nonTrainable(slotScope, "beta1_power", Shape.scalar(), BETA1);
    beta2Power = Variables.nonTrainable(slotScope, "beta2_power", Shape.scalar(), BETA2);
  }

  @Override
  protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    Variable<TFloat32>[] moments = slots.get(variable.op().name());
    return deps.withName(updateName(variable)).train.applyAdam(
        variable,
        asType(moments[0], variable),
        asType(moments[1], variable),
        asType(beta1Power, variable),
        asType(beta2Power, variable),
        asType(learningRate, variable),
        asType(ops.constant(BETA1), variable),
        asType(ops.constant(BETA2), variable),
        asType(ops.constant(EPSILON), variable),
        gradient,
        ApplyAdam.useLocking(false));
  }

  @Override
  protected List<Op> afterUpdates(Ops afterUpdates) {
    return List.of(
        afterUpdates.assign(beta1Power, afterUpdates.math.mul(beta1Power, afterUpdates.constant(BETA1))),
        afterUpdates.assign(beta2Power, afterUpdates.math.mul(beta2Power, afterUpdates.constant(BETA2))));
  }
}
