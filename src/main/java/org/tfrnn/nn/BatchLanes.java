package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * A batch cut into independent slices ("lanes") whose recurrences TensorFlow's executor runs side
 * by side: on few cores one chain of small ops leaves gaps that a second chain fills (measured in
 * BENCHMARKS.md). The slice sizes are computed at run time, so any batch works, also one smaller
 * than the lane count (trailing lanes are then empty).
 */
public final class BatchLanes {
  private final int lanes;
  private final Operand<TInt32> sizes;

  private BatchLanes(int lanes, Operand<TInt32> sizes) {
    this.lanes = lanes;
    this.sizes = sizes;
  }

  /**
   * Lanes of equal size ceil(batch / lanes), the last ones smaller or empty, for the batch of
   * {@code batched} (its first dimension).
   */
  public static BatchLanes of(Ops tf, Operand<?> batched, int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
    }
    if (lanes == 1) {
      return new BatchLanes(1, null);
    }
    Operand<TInt32> batch = tf.gather(tf.shape(batched), tf.constant(0), tf.constant(0));
    Operand<TInt32> first = tf.math.floorDiv(tf.math.add(batch, tf.constant(lanes - 1)),
        tf.constant(lanes));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      // min(first, max(batch - i * first, 0)): what is left for lane i, at most one lane's share.
      Operand<TInt32> left = tf.math.sub(batch, tf.math.mul(first, tf.constant(i)));
      sizes.add(tf.math.minimum(first, tf.math.maximum(left, tf.constant(0))));
    }
    return new BatchLanes(lanes, tf.stack(sizes));
  }

  public int count() {
    return lanes;
  }

  /** {@code value} (batch-major, same batch) cut into the lanes; itself for one lane. */
  public <T extends TType> List<Operand<T>> split(Ops tf, Operand<T> value) {
    if (lanes == 1) {
      return List.of(value);
    }
    List<Operand<T>> parts = new ArrayList<>();
    tf.splitV(value, sizes, tf.constant(0), (long) lanes).output().forEach(parts::add);
    return parts;
  }

  /** The lanes' parts joined back along the batch; the part itself for one lane. */
  public static <T extends TType> Operand<T> concat(Ops tf, List<Operand<T>> parts) {
    return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(0));
  }
}
