package org.tfrnn.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TType;

/**
 * TF1's {@code cond} as raw {@code Switch}/{@code Merge} ops, for use inside a while-loop body
 * (where the C API offers no functional {@code If}). Ops fed only by one branch's side of a
 * switch run only when that branch is taken; TensorFlow skips the other side's ops as dead.
 * TF1's own {@code dynamic_rnn} skips its {@code sequence_length} copy-through the same way while
 * every sequence is still running.
 */
final class Cond {
  private final Ops tf;
  private final Operand<TBool> predicate;

  Cond(Ops tf, Operand<TBool> predicate) {
    this.tf = tf;
    this.predicate = predicate;
  }

  /** {@code value} routed by the predicate: its true and false sides. */
  <T extends TType> SwitchCond<T> route(Operand<T> value) {
    return tf.switchCond(value, predicate);
  }

  /** {@code value} as seen only where the predicate is false. */
  <T extends TType> Operand<T> ifFalse(Operand<T> value) {
    return route(value).outputFalse();
  }

  /** Whichever of the two branch results was computed. */
  <T extends TType> Operand<T> merge(Operand<T> ifTrue, Operand<T> ifFalse) {
    return tf.merge(List.of(ifTrue, ifFalse)).output();
  }
}
