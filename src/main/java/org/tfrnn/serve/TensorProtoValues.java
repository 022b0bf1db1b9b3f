package org.tfrnn.serve;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.tensors.NdValue;

/**
 * {@link TensorProto} (what gRPC clients send, e.g. Python's {@code tf.make_tensor_proto}) to
 * {@link NdValue} and back, with TensorFlow's {@code Tensor::FromProto} rules: the values come
 * either packed in {@code tensor_content} (little-endian) or in the typed field of the dtype
 * ({@code float_val}, ...), where fewer values than elements repeat the last one and none means
 * zeros. Everything is checked in Java; a bad proto is a {@link PredictionException} (bad request).
 * Answers use the typed fields, as TensorFlow Serving's Predict does by default.
 */
final class TensorProtoValues {
  private TensorProtoValues() {}

  static NdValue toNdValue(String key, TensorProto proto) {
    DataType dtype = proto.getDtype();
    long[] shape = shape(key, proto.getTensorShape());
    long count = 1;
    for (long dim : shape) {
      count = Math.multiplyExact(count, dim);
    }
    if (dtype == DataType.DT_STRING) {
      return strings(key, shape, count, proto.getStringValList());
    }
    int elementBytes = switch (dtype) {
      case DT_FLOAT, DT_INT32 -> 4;
      case DT_DOUBLE, DT_INT64 -> 8;
      case DT_BOOL -> 1;
      default -> throw PredictionException.badRequest("input '" + key + "' is "
          + NdValue.dtypeName(dtype) + ", a dtype this server does not take (it takes float32, "
          + "float64, int32, int64, bool and string)");
    };
    if (count * elementBytes > Integer.MAX_VALUE - 8) {
      throw PredictionException.badRequest("input '" + key + "' has " + count + " elements, too many");
    }
    int n = (int) count;
    if (!proto.getTensorContent().isEmpty()) {
      return fromContent(key, dtype, shape, n, elementBytes, proto.getTensorContent());
    }
    return switch (dtype) {
      case DT_FLOAT -> {
        float[] values = new float[n];
        List<Float> given = proto.getFloatValList();
        fill(key, n, given.size(), (to, from) -> values[to] = given.get(from));
        yield new NdValue(dtype, shape, values);
      }
      case DT_DOUBLE -> {
        double[] values = new double[n];
        List<Double> given = proto.getDoubleValList();
        fill(key, n, given.size(), (to, from) -> values[to] = given.get(from));
        yield new NdValue(dtype, shape, values);
      }
      case DT_INT32 -> {
        int[] values = new int[n];
        List<Integer> given = proto.getIntValList();
        fill(key, n, given.size(), (to, from) -> values[to] = given.get(from));
        yield new NdValue(dtype, shape, values);
      }
      case DT_INT64 -> {
        long[] values = new long[n];
        List<Long> given = proto.getInt64ValList();
        fill(key, n, given.size(), (to, from) -> values[to] = given.get(from));
        yield new NdValue(dtype, shape, values);
      }
      case DT_BOOL -> {
        boolean[] values = new boolean[n];
        List<Boolean> given = proto.getBoolValList();
        fill(key, n, given.size(), (to, from) -> values[to] = given.get(from));
        yield new NdValue(dtype, shape, values);
      }
      default -> throw new IllegalStateException("unreachable: " + dtype);
    };
  }

  /** Strings come in string_val only (never tensor_content), with the same repeat rule. */
  private static NdValue strings(String key, long[] shape, long count, List<ByteString> given) {
    if (count > Integer.MAX_VALUE - 8) {
      throw PredictionException.badRequest("input '" + key + "' has " + count
          + " elements, too many");
    }
    byte[][] values = new byte[(int) count][];
    Arrays.fill(values, new byte[0]);
    fill(key, values.length, given.size(), (to, from) -> values[to] = given.get(from)
        .toByteArray());
    return new NdValue(DataType.DT_STRING, shape, values);
  }

  private interface Setter {
    void set(int target, int source);
  }

  /** Element i takes given value min(i, given-1); none given leaves the zeros. */
  private static void fill(String key, int n, int given, Setter copy) {
    if (given > n) {
      throw PredictionException.badRequest("input '" + key + "' has " + given + " values for a shape of "
          + n + " elements");
    }
    for (int i = 0; i < n && given > 0; i++) {
      copy.set(i, Math.min(i, given - 1));
    }
  }

  private static NdValue fromContent(String key, DataType dtype, long[] shape, int n,
      int elementBytes, ByteString content) {
    if (content.size() != (long) n * elementBytes) {
      throw PredictionException.badRequest("input '" + key + "': tensor_content has " + content.size()
          + " bytes, its shape " + Arrays.toString(shape) + " of " + NdValue.dtypeName(dtype)
          + " needs " + (long) n * elementBytes);
    }
    ByteBuffer bytes = content.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return switch (dtype) {
      case DT_FLOAT -> {
        float[] values = new float[n];
        bytes.asFloatBuffer().get(values);
        yield new NdValue(dtype, shape, values);
      }
      case DT_DOUBLE -> {
        double[] values = new double[n];
        bytes.asDoubleBuffer().get(values);
        yield new NdValue(dtype, shape, values);
      }
      case DT_INT32 -> {
        int[] values = new int[n];
        bytes.asIntBuffer().get(values);
        yield new NdValue(dtype, shape, values);
      }
      case DT_INT64 -> {
        long[] values = new long[n];
        bytes.asLongBuffer().get(values);
        yield new NdValue(dtype, shape, values);
      }
      case DT_BOOL -> {
        boolean[] values = new boolean[n];
        for (int i = 0; i < n; i++) {
          values[i] = bytes.get(i) != 0;
        }
        yield new NdValue(dtype, shape, values);
      }
      default -> throw new IllegalStateException("unreachable: " + dtype);
    };
  }

  private static long[] shape(String key, TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      throw PredictionException.badRequest("input '" + key + "' has an unknown rank; a request "
          + "tensor needs its shape");
    }
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
      if (dims[i] < 0) {
        throw PredictionException.badRequest("input '" + key + "' has dimension " + i
            + " of size " + dims[i] + "; a request tensor needs a known shape");
      }
    }
    return dims;
  }

  static TensorProto toProto(NdValue value) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long dim : value.shape()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(dim));
    }
    TensorProto.Builder proto = TensorProto.newBuilder().setDtype(value.dtype())
        .setTensorShape(shape);
    switch (value.dtype()) {
      case DT_FLOAT -> {
        for (float v : value.floats()) {
          proto.addFloatVal(v);
        }
      }
      case DT_DOUBLE -> {
        for (double v : value.doubles()) {
          proto.addDoubleVal(v);
        }
      }
      case DT_INT32, DT_UINT8 -> {
        for (int v : value.ints()) {
          proto.addIntVal(v);
        }
      }
      case DT_INT64 -> {
        for (long v : value.longs()) {
          proto.addInt64Val(v);
        }
      }
      case DT_BOOL -> {
        for (boolean v : value.booleans()) {
          proto.addBoolVal(v);
        }
      }
      case DT_STRING -> {
        for (byte[] v : value.strings()) {
          proto.addStringVal(ByteString.copyFrom(v));
        }
      }
      default -> throw new IllegalStateException("unsupported output dtype " + value);
    }
    return proto.build();
  }
}
