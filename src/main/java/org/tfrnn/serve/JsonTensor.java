package org.tfrnn.serve;

import static org.tfrnn.inference.PredictionException.badRequest;

import java.util.Arrays;
import org.tensorflow.proto.DataType;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/**
 * One tensor as a JSON request wrote it (a number, a boolean, or nested lists of them), read into
 * its shape and flat row-major values before the signature's dtype is known: TensorFlow Serving
 * lets {@code signature_name} come after the tensors. {@link #toNdValue} then converts it to the
 * dtype the signature declares, with TensorFlow Serving's rules: an integer where a float is
 * expected is fine when the float holds it exactly, a decimal where an integer is expected is not,
 * a boolean is only a boolean.
 *
 * <p>Built by {@link JsonTensorReader}.
 */
final class JsonTensor {
  /** Largest integer a float32 (24-bit significand) and a float64 (53-bit) hold exactly. */
  private static final long FLOAT_EXACT_INTEGER = 1L << 24;
  private static final long DOUBLE_EXACT_INTEGER = 1L << 53;

  private final String name;
  private final long[] shape;
  private final int count;
  private final double[] numbers;
  private final long[] integers;
  private final ValueKinds kinds;

  /**
   * @param name where the tensor is in the request, for messages ({@code 'instances'})
   * @param numbers every value as a double (true = 1, false = 0)
   * @param integers the exact value of each element written as an integer, or null if none was
   * @param kinds what kinds of JSON values were seen, with an example of each
   */
  JsonTensor(String name, long[] shape, int count, double[] numbers, long[] integers,
      ValueKinds kinds) {
    this.name = name;
    this.shape = shape;
    this.count = count;
    this.numbers = numbers;
    this.integers = integers;
    this.kinds = kinds;
  }

  String name() {
    return name;
  }

  long[] shape() {
    return shape.clone();
  }

  /**
   * This value as a tensor of {@code spec}'s dtype (the shape is checked later, against the whole
   * signature, by {@link Predictor}).
   *
   * @throws PredictionException (a bad request) if a value does not fit the dtype
   */
  NdValue toNdValue(TensorSpec spec) {
    DataType dtype = spec.dtype();
    switch (dtype) {
      case DT_FLOAT -> {
        requireNumbers(spec);
        requireExactIntegers(spec, FLOAT_EXACT_INTEGER);
        if (Float.isInfinite((float) kinds.largestDecimal)) { // finite, but rounds to infinity
          throw notConvertible(kinds.largestDecimalText, spec);
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
          values[i] = (float) numbers[i];
        }
        return new NdValue(dtype, shape, values);
      }
      case DT_DOUBLE -> {
        requireNumbers(spec);
        requireExactIntegers(spec, DOUBLE_EXACT_INTEGER);
        return new NdValue(dtype, shape, Arrays.copyOf(numbers, count));
      }
      case DT_INT32 -> {
        requireIntegers(spec);
        if (kinds.smallestInteger < Integer.MIN_VALUE || kinds.largestInteger > Integer.MAX_VALUE) {
          long outside = kinds.largestInteger > Integer.MAX_VALUE
              ? kinds.largestInteger : kinds.smallestInteger;
          throw badRequest(name + ": " + outside + " is outside the int32 range of input '"
              + spec.key() + "' (" + spec.describe() + ")");
        }
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
          values[i] = (int) integers[i];
        }
        return new NdValue(dtype, shape, values);
      }
      case DT_INT64 -> {
        requireIntegers(spec);
        return new NdValue(dtype, shape, count == 0 ? new long[0] : Arrays.copyOf(integers, count));
      }
      case DT_BOOL -> {
        if (kinds.firstNumber != null) {
          throw typeError(kinds.firstNumber, "a number", spec);
        }
        boolean[] values = new boolean[count];
        for (int i = 0; i < count; i++) {
          values[i] = numbers[i] != 0;
        }
        return new NdValue(dtype, shape, values);
      }
      default -> throw badRequest("input '" + spec.key() + "' is " + spec.describe()
          + ", a dtype this server does not convert from JSON (it takes float32, float64, "
          + "int32, int64 and bool)");
    }
  }

  private void requireNumbers(TensorSpec spec) {
    if (kinds.firstBoolean != null) {
      throw typeError(kinds.firstBoolean, "a boolean", spec);
    }
  }

  private void requireIntegers(TensorSpec spec) {
    requireNumbers(spec);
    if (kinds.firstDecimal != null) {
      throw typeError(kinds.firstDecimal, "not an integer", spec);
    }
  }

  private void requireExactIntegers(TensorSpec spec, long exactLimit) {
    if (kinds.largestInteger > exactLimit) {
      throw notConvertible(Long.toString(kinds.largestInteger), spec);
    }
    if (kinds.smallestInteger < -exactLimit) {
      throw notConvertible(Long.toString(kinds.smallestInteger), spec);
    }
  }

  private PredictionException typeError(String example, String what, TensorSpec spec) {
    return badRequest(example + " is " + what + "; input '" + spec.key()
        + "' takes " + NdValue.dtypeName(spec.dtype()) + " values (" + spec.describe() + ")");
  }

  private PredictionException notConvertible(String value, TensorSpec spec) {
    return badRequest(name + ": cannot convert " + value + " to " + NdValue.dtypeName(spec.dtype())
        + " without loss of precision (input '" + spec.key() + "')");
  }

  /** What kinds of JSON values a tensor held: the first of each (as written) and the extremes. */
  static final class ValueKinds {
    /**
     * The first decimal (a number not written as an integer, NaN and Infinity included) as
     * {@code 'inputs'[0][3]: 0.5}, or null; the same for the first boolean and first number.
     */
    String firstDecimal;
    String firstBoolean;
    /** The first number of any kind, or null. */
    String firstNumber;
    long smallestInteger = Long.MAX_VALUE;
    long largestInteger = Long.MIN_VALUE;
    /** Largest magnitude of a finite decimal. */
    double largestDecimal;
    String largestDecimalText;
  }
}
