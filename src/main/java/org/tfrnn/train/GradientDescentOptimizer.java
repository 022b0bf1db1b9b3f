package org.tfrnn.train;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/** {@code tf.train.GradientDescentOptimizer}: {@code var -= learning_rate * gradient}. */
public final class GradientDescentOptimizer extends Tf1Optimizer {

  public GradientDescentOptimizer(
      Graph graph, List<Variable<TFloat32>> trainable, LearningRate learningRate,
      Variable<? extends TNumber> globalStep) {
    super(graph, "GradientDescent", trainable, learningRate, globalStep);
  }

  @Override
  public String getOptimizerName() {
    return "GradientDescent";
  }

  @Override
  protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    return deps.withName(updateName(variable)).train.applyGradientDescent(variable, asType(learningRate, variable), gradient);
  }
}
