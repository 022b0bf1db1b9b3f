package org.tfrnn.tensors;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Short forms of the {@link NdValue} conversions for the common dtypes. Every tensor returned here
 * owns native memory: the caller closes it (try-with-resources).
 */
public final class Tensors {
  private Tensors() {}

  /** A float tensor of {@code shape} holding {@code values} in row-major order. */
  public static TFloat32 floats(float[] values, long... shape) {
    return (TFloat32) NdValue.ofFloats(values, shape).toTensor();
  }

  public static TInt32 ints(int[] values, long... shape) {
    return (TInt32) NdValue.ofInts(values, shape).toTensor();
  }

  /** All elements of a float tensor, row-major. */
  public static float[] toFloatArray(Tensor tensor) {
    return NdValue.of(tensor).floats();
  }

  /** Every tensor of a session run's result, in fetch order, as {@link #toFloatArray}. */
  public static List<float[]> toFloatArrays(Result result) {
    List<float[]> values = new ArrayList<>(result.size());
    for (int i = 0; i < result.size(); i++) {
      values.add(toFloatArray(result.get(i)));
    }
    return values;
  }

  public static long[] toLongArray(Tensor tensor) {
    return NdValue.of(tensor).longs();
  }

  /** A scalar float tensor's value. */
  public static float scalar(Tensor tensor) {
    float[] value = toFloatArray(tensor);
    if (value.length != 1) {
      throw new IllegalArgumentException("expected a scalar, got shape " + tensor.shape());
    }
    return value[0];
  }
}
