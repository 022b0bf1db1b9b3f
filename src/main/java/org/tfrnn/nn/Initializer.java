package org.tfrnn.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

/**
 * The variable initializers the notebooks use, built as graph ops the way TF1 builds them (the
 * random ops carry explicit seeds so a graph is reproducible).
 */
public sealed interface Initializer {

  /** Builds the initial value; {@code tf} is already in the variable's init scope. */
  Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds);

  /** {@code tf.random_normal(shape, mean, stddev)}. */
  record RandomNormal(float mean, float stddev) implements Initializer {
    @Override
    public Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds) {
      Ops scope = tf.withSubScope("random_normal");
      Operand<TFloat32> standard =
          scope.random.randomStandardNormal(
              scope.constant(shape), TFloat32.class,
              RandomStandardNormal.seed(seeds.graphSeed()), RandomStandardNormal.seed2(seeds.next()));
      return scaleAndShift(scope, standard, stddev, mean);
    }
  }

  /** {@code tf.truncated_normal(shape, mean, stddev)}: normal values re-drawn beyond 2 stddev. */
  record TruncatedNormalInit(float mean, float stddev) implements Initializer {
    @Override
    public Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds) {
      Ops scope = tf.withSubScope("truncated_normal");
      Operand<TFloat32> standard =
          scope.random.truncatedNormal(
              scope.constant(shape), TFloat32.class,
              TruncatedNormal.seed(seeds.graphSeed()), TruncatedNormal.seed2(seeds.next()));
      return scaleAndShift(scope, standard, stddev, mean);
    }
  }

  /** {@code tf.constant(value, shape=shape)}. */
  record Constant(float value) implements Initializer {
    @Override
    public Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds) {
      return tf.fill(tf.constant(shape), tf.constant(value));
    }
  }

  /** {@code tf.zeros_initializer()}: TF1's default for biases. */
  record Zeros() implements Initializer {
    @Override
    public Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds) {
      return tf.fill(tf.constant(shape), tf.constant(0f));
    }
  }

  /**
   * {@code tf.glorot_uniform_initializer()}: TF1's default for {@code get_variable} (cell kernels,
   * dense kernels). Uniform in [-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)) for a
   * 2-D shape [fan_in, fan_out].
   */
  record GlorotUniform() implements Initializer {
    @Override
    public Operand<TFloat32> build(Ops tf, Shape shape, Seeds seeds) {
      if (shape.numDimensions() != 2) {
        throw new IllegalArgumentException("glorot_uniform expects a 2-D shape, got " + shape);
      }
      float limit = (float) Math.sqrt(6.0 / (shape.get(0) + shape.get(1)));
      Ops scope = tf.withSubScope("random_uniform");
      Operand<TFloat32> unit =
          scope.random.randomUniform(
              scope.constant(shape), TFloat32.class,
              RandomUniform.seed(seeds.graphSeed()), RandomUniform.seed2(seeds.next()));
      return scaleAndShift(scope, unit, 2 * limit, -limit);
    }
  }

  /** {@code values * scale + shift}, the last two ops of TF1's random initializers. */
  private static Operand<TFloat32> scaleAndShift(
      Ops tf, Operand<TFloat32> values, float scale, float shift) {
    return tf.math.add(tf.math.mul(values, tf.constant(scale)), tf.constant(shift));
  }
}
