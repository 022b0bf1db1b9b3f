package org.tfrnn.tensors;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Copies between flat Java arrays and tensors. Every tensor returned here owns native memory: the
 * caller closes it (try-with-resources).
 */
public final class Tensors {
  private Tensors() {}

  /** A float tensor of {@code shape} holding {@code values} in row-major order. */
  public static TFloat32 floats(float[] values, long... shape) {
    Shape s = Shape.of(shape);
    requireSize(values.length, s);
    return TFloat32.tensorOf(s, DataBuffers.of(values, true, false));
  }

  public static TInt32 ints(int[] values, long... shape) {
    Shape s = Shape.of(shape);
    requireSize(values.length, s);
    return TInt32.tensorOf(s, DataBuffers.of(values, true, false));
  }

  public static TInt64 longs(long[] values, long... shape) {
    Shape s = Shape.of(shape);
    requireSize(values.length, s);
    return TInt64.tensorOf(s, DataBuffers.of(values, true, false));
  }

  /** All elements of a float tensor, row-major. */
  public static float[] toFloatArray(Tensor tensor) {
    TFloat32 floats = requireType(tensor, TFloat32.class);
    float[] values = new float[checkedSize(floats.shape())];
    floats.asRawTensor().data().asFloats().read(values);
    return values;
  }

  public static int[] toIntArray(Tensor tensor) {
    TInt32 ints = requireType(tensor, TInt32.class);
    int[] values = new int[checkedSize(ints.shape())];
    ints.asRawTensor().data().asInts().read(values);
    return values;
  }

  public static long[] toLongArray(Tensor tensor) {
    TInt64 longs = requireType(tensor, TInt64.class);
    long[] values = new long[checkedSize(longs.shape())];
    longs.asRawTensor().data().asLongs().read(values);
    return values;
  }

  /** A scalar float tensor's value. */
  public static float scalar(Tensor tensor) {
    return requireType(tensor, TFloat32.class).getFloat();
  }

  private static <T extends Tensor> T requireType(Tensor tensor, Class<T> type) {
    if (!type.isInstance(tensor)) {
      throw new IllegalArgumentException(
          "expected a " + type.getSimpleName() + " tensor, got " + tensor.dataType());
    }
    return type.cast(tensor);
  }

  private static void requireSize(int length, Shape shape) {
    if (shape.hasUnknownDimension() || shape.size() != length) {
      throw new IllegalArgumentException(
          "shape " + shape + " does not match " + length + " values");
    }
  }

  private static int checkedSize(Shape shape) {
    return Math.toIntExact(shape.size());
  }
}
