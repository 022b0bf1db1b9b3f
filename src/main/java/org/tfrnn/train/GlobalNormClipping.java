package org.tfrnn.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * TF1's {@code tf.clip_by_global_norm}: every gradient times {@code clip_norm / max(global_norm,
 * clip_norm)}, where {@code global_norm = sqrt(sum of squares of all gradients)}. Computed as TF1
 * computes it ({@code sqrt(2 * sum(l2_loss))}, {@code clip_norm * min(1 / norm, 1 / clip_norm)}),
 * and, as there, a non-finite norm makes every gradient NaN rather than silently skipping.
 */
public final class GlobalNormClipping {
  private GlobalNormClipping() {}

  /** The global norm and the clipped gradients, in the order given. */
  public record Clipped(Operand<TFloat32> globalNorm, List<Operand<TFloat32>> gradients) {}

  public static Clipped clip(Ops tf, List<Operand<TFloat32>> gradients, float clipNorm) {
    if (!(clipNorm > 0) || Float.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clip norm must be positive and finite, got " + clipNorm);
    }
    if (gradients.isEmpty()) {
      throw new IllegalArgumentException("clip_by_global_norm needs at least one gradient");
    }
    Ops scope = tf.withSubScope("clip_by_global_norm");
    Ops normScope = scope.withSubScope("global_norm");
    List<Operand<TFloat32>> halfSquares = new ArrayList<>(gradients.size());
    for (Operand<TFloat32> gradient : gradients) {
      halfSquares.add(normScope.nn.l2Loss(gradient));
    }
    Operand<TFloat32> halfSquaredNorm =
        normScope.sum(normScope.stack(halfSquares), normScope.constant(0));
    Operand<TFloat32> norm = normScope.withName("global_norm")
        .math.sqrt(normScope.math.mul(halfSquaredNorm, normScope.constant(2f)));
    Operand<TFloat32> scaleForFinite = scope.math.mul(scope.constant(clipNorm),
        scope.math.minimum(scope.math.div(scope.constant(1f), norm),
            scope.constant(1f / clipNorm)));
    // norm - norm is 0 for a finite norm and NaN otherwise, as in TF1.
    Operand<TFloat32> scale = scope.math.add(scaleForFinite, scope.math.sub(norm, norm));
    List<Operand<TFloat32>> clipped = new ArrayList<>(gradients.size());
    for (int i = 0; i < gradients.size(); i++) {
      clipped.add(scope.withName("clip_by_global_norm_" + i)
          .identity(scope.math.mul(gradients.get(i), scale)));
    }
    return new Clipped(norm, clipped);
  }

  /** Clips the gradients of (gradient, variable) pairs, keeping the pairs. */
  public static List<GradAndVar<? extends TType>> clipPairs(
      Ops tf, List<? extends GradAndVar<? extends TType>> pairs, float clipNorm) {
    List<Operand<TFloat32>> gradients = new ArrayList<>(pairs.size());
    for (GradAndVar<? extends TType> pair : pairs) {
      gradients.add(floats(pair.getGradient()));
    }
    List<Operand<TFloat32>> clipped = clip(tf, gradients, clipNorm).gradients();
    List<GradAndVar<? extends TType>> result = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      result.add(new GradAndVar<>(clipped.get(i).asOutput(), floats(pairs.get(i).getVariable())));
    }
    return result;
  }

  private static Output<TFloat32> floats(Output<? extends TType> tensor) {
    if (tensor.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "clip_by_global_norm takes float gradients; " + tensor.op().name() + " is "
              + tensor.dataType());
    }
    @SuppressWarnings("unchecked")
    Output<TFloat32> floats = (Output<TFloat32>) tensor;
    return floats;
  }
}
