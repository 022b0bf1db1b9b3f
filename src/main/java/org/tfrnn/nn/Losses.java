package org.tfrnn.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.SparseSoftmaxCrossEntropyWithLogits;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** The notebooks' losses and their accuracy metric. */
public final class Losses {
  private static boolean sparseGradientRegistered;

  private Losses() {}

  /**
   * {@code tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, logits))} for one-hot
   * float labels [batch, classes].
   */
  public static Operand<TFloat32> softmaxCrossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TFloat32> oneHotLabels) {
    Operand<TFloat32> perExample =
        tf.nn.softmaxCrossEntropyWithLogits(logits, tf.stopGradient(oneHotLabels)).loss();
    return tf.math.mean(perExample, tf.constant(0));
  }

  /**
   * {@code tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))} for int
   * labels [batch]. The op has no native gradient in TensorFlow's C++ registry, so the first call
   * registers one (see {@link #registerSparseSoftmaxGradient()}).
   */
  public static Operand<TFloat32> sparseSoftmaxCrossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    registerSparseSoftmaxGradient();
    Operand<TFloat32> perExample = tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss();
    return tf.math.mean(perExample, tf.constant(0));
  }

  /**
   * Registers the gradient Python TF uses for SparseSoftmaxCrossEntropyWithLogits (nn_grad.py):
   * d loss_i / d logits_i = grad_i * (softmax(logits_i) - onehot(label_i)); the op's second
   * output, {@code backprop}, already holds the bracket. Labels get a zero gradient (they are ints
   * and the native builder needs a tensor for every input). Safe to call more than once.
   */
  public static synchronized void registerSparseSoftmaxGradient() {
    if (sparseGradientRegistered) {
      return;
    }
    TensorFlow.registerCustomGradient(
        SparseSoftmaxCrossEntropyWithLogits.OP_NAME,
        (tf, op, gradInputs) -> {
          Operand<TFloat32> lossGradient = tf.dtypes.cast(gradInputs.get(0), TFloat32.class);
          Operand<TFloat32> backprop = tf.dtypes.cast(op.output(1), TFloat32.class);
          return List.of(
              tf.math.mul(tf.expandDims(lossGradient, tf.constant(-1)), backprop),
              tf.zerosLike(op.input(1)));
        });
    sparseGradientRegistered = true;
  }

  /** Fraction of rows whose arg-max matches the label; {@code tf.reduce_mean(tf.cast(equal))}. */
  public static Operand<TFloat32> accuracy(
      Ops tf, Operand<TInt64> predictedClasses, Operand<TInt64> trueClasses) {
    return tf.math.mean(
        tf.dtypes.cast(tf.math.equal(predictedClasses, trueClasses), TFloat32.class),
        tf.constant(0));
  }
}
