package org.tfrnn.nn;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.TensorArray;
import org.tensorflow.op.core.TensorArrayGather;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/** Float TensorArrays of fixed size: the per-time-step storage of both RNN loops. */
final class TensorArrays {
  private TensorArrays() {}

  /** A TensorArray's resource handle and its flow (the value that orders reads after writes). */
  record Ref(Operand<? extends TType> handle, Operand<TFloat32> flow) {}

  /** A TensorArray of {@code size} float elements of shape {@code elementShape}, kept after reads. */
  static Ref create(Ops tf, Operand<TInt32> size, Shape elementShape) {
    TensorArray array =
        tf.tensorArray(
            size, TFloat32.class,
            TensorArray.elementShape(elementShape),
            TensorArray.dynamicSize(false),
            TensorArray.clearAfterRead(false),
            TensorArray.identicalElementShapes(true));
    return new Ref(array.handle(), array.flow());
  }

  static Output<TFloat32> write(
      Ops tf, Operand<? extends TType> handle, Operand<TInt32> index, Operand<TFloat32> value,
      Operand<TFloat32> flow) {
    return tf.tensorArrayWrite(handle, index, value, flow).flowOut();
  }

  static Operand<TFloat32> read(
      Ops tf, Operand<? extends TType> handle, Operand<TInt32> index, Operand<TFloat32> flow) {
    return tf.tensorArrayRead(handle, index, flow, TFloat32.class);
  }

  /** Elements {@code from} (inclusive) to {@code to} (exclusive) stacked on a new leading axis. */
  static Operand<TFloat32> stack(
      Ops tf, Ref array, Operand<TInt32> from, Operand<TInt32> to, Shape elementShape) {
    return tf.tensorArrayGather(
        array.handle(), tf.range(from, to, tf.constant(1)), array.flow(),
        TFloat32.class, TensorArrayGather.elementShape(elementShape));
  }

  /** All {@code size} elements stacked on a new leading axis. */
  static Operand<TFloat32> stack(Ops tf, Ref array, Operand<TInt32> size, Shape elementShape) {
    return stack(tf, array, tf.constant(0), size, elementShape);
  }
}
