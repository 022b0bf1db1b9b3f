package org.tfrnn.tensors;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * A tensor's value held in plain Java memory: a dtype, a shape and a flat row-major array
 * ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}, {@code boolean[]}, or
 * {@code byte[][]} for strings, which TensorFlow holds as bytes). Safe to
 * keep, share and pass across threads; converting to a {@link Tensor} allocates native memory that
 * the caller closes.
 */
public record NdValue(DataType dtype, long[] shape, Object data) {

  public NdValue {
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
    }
    long expected = elementCount(shape);
    int length = switch (dtype) {
      case DT_FLOAT -> ((float[]) data).length;
      case DT_DOUBLE -> ((double[]) data).length;
      case DT_INT32, DT_UINT8 -> ((int[]) data).length;
      case DT_INT64 -> ((long[]) data).length;
      case DT_BOOL -> ((boolean[]) data).length;
      case DT_STRING -> ((byte[][]) data).length;
      default -> throw new IllegalArgumentException("unsupported dtype " + dtypeName(dtype));
    };
    if (length != expected) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + expected
          + " values, got " + length);
    }
  }

  public static NdValue ofFloats(float[] data, long... shape) {
    return new NdValue(DataType.DT_FLOAT, shape, data);
  }

  public static NdValue ofInts(int[] data, long... shape) {
    return new NdValue(DataType.DT_INT32, shape, data);
  }

  public static NdValue ofLongs(long[] data, long... shape) {
    return new NdValue(DataType.DT_INT64, shape, data);
  }

  public static NdValue ofStrings(byte[][] data, long... shape) {
    return new NdValue(DataType.DT_STRING, shape, data);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long size() {
    return elementCount(shape);
  }

  public float[] floats() {
    return (float[]) requireType(DataType.DT_FLOAT);
  }

  public double[] doubles() {
    return (double[]) requireType(DataType.DT_DOUBLE);
  }

  /** The values of an int32 array, or of a uint8 one (as read from a .npy file) widened. */
  public int[] ints() {
    return (int[]) requireType(dtype == DataType.DT_UINT8 ? DataType.DT_UINT8 : DataType.DT_INT32);
  }

  public long[] longs() {
    return (long[]) requireType(DataType.DT_INT64);
  }

  public boolean[] booleans() {
    return (boolean[]) requireType(DataType.DT_BOOL);
  }

  /** The elements of a string tensor, as the bytes TensorFlow holds. */
  public byte[][] strings() {
    return (byte[][]) requireType(DataType.DT_STRING);
  }

  /** Element {@code i} of the flat array as a double (for any numeric dtype). */
  public double asDouble(int i) {
    return switch (dtype) {
      case DT_FLOAT -> ((float[]) data)[i];
      case DT_DOUBLE -> ((double[]) data)[i];
      case DT_INT32 -> ((int[]) data)[i];
      case DT_INT64 -> ((long[]) data)[i];
      case DT_BOOL -> ((boolean[]) data)[i] ? 1 : 0;
      default -> throw new IllegalStateException("unsupported dtype " + dtype);
    };
  }

  /** A new tensor holding this value; the caller closes it. */
  public Tensor toTensor() {
    Shape s = Shape.of(shape);
    return switch (dtype) {
      case DT_FLOAT -> TFloat32.tensorOf(s, DataBuffers.of((float[]) data, true, false));
      case DT_DOUBLE -> TFloat64.tensorOf(s, DataBuffers.of((double[]) data, true, false));
      case DT_INT32 -> TInt32.tensorOf(s, DataBuffers.of((int[]) data, true, false));
      case DT_INT64 -> TInt64.tensorOf(s, DataBuffers.of((long[]) data, true, false));
      case DT_BOOL -> TBool.tensorOf(s, DataBuffers.of((boolean[]) data, true, false));
      case DT_STRING -> TString.tensorOfBytes(s, DataBuffers.ofObjects((byte[][]) data));
      default -> throw new IllegalStateException("unsupported dtype " + dtype);
    };
  }

  /** A copy of {@code tensor}'s value (the tensor stays owned by the caller). */
  public static NdValue of(Tensor tensor) {
    long[] shape = tensor.shape().asArray();
    int n = Math.toIntExact(elementCount(shape));
    var raw = tensor.asRawTensor().data();
    return switch (tensor.dataType()) {
      case DT_FLOAT -> {
        float[] v = new float[n];
        raw.asFloats().read(v);
        yield new NdValue(DataType.DT_FLOAT, shape, v);
      }
      case DT_DOUBLE -> {
        double[] v = new double[n];
        raw.asDoubles().read(v);
        yield new NdValue(DataType.DT_DOUBLE, shape, v);
      }
      case DT_INT32 -> {
        int[] v = new int[n];
        raw.asInts().read(v);
        yield new NdValue(DataType.DT_INT32, shape, v);
      }
      case DT_INT64 -> {
        long[] v = new long[n];
        raw.asLongs().read(v);
        yield new NdValue(DataType.DT_INT64, shape, v);
      }
      case DT_BOOL -> {
        boolean[] v = new boolean[n];
        raw.asBooleans().read(v);
        yield new NdValue(DataType.DT_BOOL, shape, v);
      }
      case DT_STRING -> {
        byte[][] v = new byte[n][];
        ((TString) tensor).asBytes().copyTo(DataBuffers.ofObjects(v));
        yield new NdValue(DataType.DT_STRING, shape, v);
      }
      default -> throw new IllegalArgumentException(
          "unsupported output dtype " + dtypeName(tensor.dataType()));
    };
  }

  /** {@code float32}, {@code int64}, ...: the names Python and TF Serving use. */
  public static String dtypeName(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_BOOL -> "bool";
      case DT_STRING -> "string";
      default -> dtype.name();
    };
  }

  private Object requireType(DataType wanted) {
    if (dtype != wanted) {
      throw new IllegalStateException("value is " + dtypeName(dtype) + ", not " + dtypeName(wanted));
    }
    return data;
  }

  /** The number of elements of a shape (1 for a scalar). */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NdValue other)) {
      return false;
    }
    return dtype == other.dtype && Arrays.equals(shape, other.shape)
        && Objects.deepEquals(new Object[] {data}, new Object[] {other.data});
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return dtypeName(dtype) + Arrays.toString(shape);
  }
}
