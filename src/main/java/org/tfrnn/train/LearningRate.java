package org.tfrnn.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/** A learning rate as a graph value, possibly a function of the global step. */
public sealed interface LearningRate {

  /** The learning rate at the start of training. */
  float initial();

  /** This schedule with a different starting rate (for the CLI's {@code --learning-rate}). */
  LearningRate withInitial(float initial);

  /** True if the rate reads the global step. */
  boolean needsGlobalStep();

  Operand<TFloat32> build(Ops tf, Operand<? extends TNumber> globalStep);

  record Constant(float initial) implements LearningRate {
    @Override
    public LearningRate withInitial(float rate) {
      return new Constant(rate);
    }

    @Override
    public boolean needsGlobalStep() {
      return false;
    }

    @Override
    public Operand<TFloat32> build(Ops tf, Operand<? extends TNumber> globalStep) {
      return tf.withName("learning_rate").constant(initial);
    }

    @Override
    public String toString() {
      return Float.toString(initial);
    }
  }

  /**
   * {@code tf.train.exponential_decay}: {@code initial * decayRate ^ (step / decaySteps)}, the
   * exponent floored when {@code staircase}.
   */
  record ExponentialDecay(float initial, long decaySteps, float decayRate, boolean staircase)
      implements LearningRate {
    public ExponentialDecay {
      if (decaySteps <= 0) {
        throw new IllegalArgumentException("decaySteps must be positive, got " + decaySteps);
      }
    }

    @Override
    public LearningRate withInitial(float rate) {
      return new ExponentialDecay(rate, decaySteps, decayRate, staircase);
    }

    @Override
    public boolean needsGlobalStep() {
      return true;
    }

    @Override
    public Operand<TFloat32> build(Ops tf, Operand<? extends TNumber> globalStep) {
      Ops scope = tf.withSubScope("ExponentialDecay");
      Operand<TFloat32> exponent =
          scope.math.realDiv(
              scope.dtypes.cast(globalStep, TFloat32.class), scope.constant((float) decaySteps));
      if (staircase) {
        exponent = scope.math.floor(exponent);
      }
      return scope.math.mul(
          scope.constant(initial), scope.math.pow(scope.constant(decayRate), exponent));
    }

    @Override
    public String toString() {
      return "exponential_decay(" + initial + ", decay_steps=" + decaySteps + ", decay_rate="
          + decayRate + (staircase ? ", staircase" : "") + ")";
    }
  }
}
