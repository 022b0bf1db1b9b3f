package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Op helpers shared by the cells' forward and backward steps. */
final class Gates {
  private Gates() {}

  /** {@code tf.split(value, n, axis=1)}. */
  static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> value, int n) {
    if (n == 1) {
      return List.of(value);
    }
    var split = tf.split(tf.constant(1), value, (long) n);
    List<Operand<TFloat32>> parts = new ArrayList<>(n);
    split.output().forEach(parts::add);
    return parts;
  }
}
