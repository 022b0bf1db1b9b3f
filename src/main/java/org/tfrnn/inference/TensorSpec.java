package org.tfrnn.inference;

import java.util.Arrays;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tfrnn.tensors.NdValue;

/**
 * One input or output of a signature, as the SavedModel declares it.
 *
 * @param dims the declared shape with -1 for an unknown dimension, or null if even the rank is
 *     unknown
 */
public record TensorSpec(String key, String tensorName, DataType dtype, long[] dims) {

  static TensorSpec of(String key, TensorInfo info) {
    TensorShapeProto shape = info.getTensorShape();
    long[] dims = shape.getUnknownRank() || !info.hasTensorShape()
        ? null
        : shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    return new TensorSpec(key, info.getName(), info.getDtype(), dims);
  }

  @Override
  public long[] dims() {
    return dims == null ? null : dims.clone();
  }

  public boolean rankKnown() {
    return dims != null;
  }

  /** {@code float32[-1,28,28]}, or {@code float32[?]} if the rank is unknown. */
  public String describe() {
    String shape = dims == null ? "[?]" : Arrays.toString(dims).replace(" ", "");
    return NdValue.dtypeName(dtype) + shape;
  }

  /**
   * Why {@code value} does not fit this spec, or null if it does. Checked in Java before any
   * native call: a mismatched tensor must be an error message, never a native abort.
   */
  public String mismatch(NdValue value) {
    if (value.dtype() != dtype) {
      return "input '" + key + "' must be " + NdValue.dtypeName(dtype) + ", got "
          + NdValue.dtypeName(value.dtype());
    }
    if (dims == null) {
      return null;
    }
    long[] shape = value.shape();
    if (shape.length != dims.length) {
      return "input '" + key + "' must have shape " + describe() + " (rank " + dims.length
          + "), got shape " + Arrays.toString(shape).replace(" ", "") + " (rank " + shape.length
          + ")";
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] >= 0 && dims[i] != shape[i]) {
        return "input '" + key + "' must have shape " + describe() + ", got shape "
            + Arrays.toString(shape).replace(" ", "") + " (dimension " + i + " is " + shape[i]
            + ", not " + dims[i] + ")";
      }
    }
    return null;
  }
}
