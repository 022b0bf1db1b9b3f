package org.tfrnn.serve;

import static org.tfrnn.inference.PredictionException.badRequest;

import java.util.Arrays;
import org.tensorflow.proto.DataType;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/**
 * One tensor as a JSON request wrote it (a number, a boolean, a string, or nested lists of them),
 * read into its shape and flat row-major values before the signature's dtype is known: TensorFlow
 * Serving lets {@code signature_name} come after the tensors. {@link #toNdValue} then converts it
 * to the dtype the signature declares, with TensorFlow Serving's rules (tensorflow_serving/util/
 * json_tensor.cc): any number is fine where a float is expected and is rounded to the nearest
 * float ({@code 1435774380} becomes {@code 1435774336}, {@code 1.79769e+308} becomes infinity), a
 * decimal where an integer is expected is not, a boolean is only a boolean, and a string
 * (UTF-8 text, or bytes as {@code {"b64": "..."}}) only a string.
 *
 * <p>Built by {@link JsonTensorReader}.
 */
final class JsonTensor {
  private final String name;
  private final long[] shape;
  private final int count;
  private final double[] numbers;
  private final long[] integers;
  private final byte[][] strings;
  private final ValueKinds kinds;

  /**
   * @param name where the tensor is in the request, for messages ({@code 'instances'})
   * @param numbers every value as a double (true = 1, false = 0)
   * @param integers the exact value of each element written as an integer, or null if none was
   * @param strings the bytes of each element written as a string, or null if none was
   * @param kinds what kinds of JSON values were seen, with an example of each
   */
  JsonTensor(String name, long[] shape, int count, double[] numbers, long[] integers,
      byte[][] strings, ValueKinds kinds) {
    this.name = name;
    this.shape = shape;
    this.count = count;
    this.numbers = numbers;
    this.integers = integers;
    this.strings = strings;
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
        // Rounded as RapidJSON's GetFloat() does: to double, then to the nearest float.
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
          values[i] = (float) numbers[i];
        }
        return new NdValue(dtype, shape, values);
      }
      case DT_DOUBLE -> {
        requireNumbers(spec);
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
        requireNoStrings(spec);
        if (kinds.firstNumber != null) {
          throw typeError(kinds.firstNumber, "a number", spec);
        }
        boolean[] values = new boolean[count];
        for (int i = 0; i < count; i++) {
          values[i] = numbers[i] != 0;
        }
        return new NdValue(dtype, shape, values);
      }
      case DT_STRING -> {
        if (kinds.firstNumber != null) {
          throw typeError(kinds.firstNumber, "a number", spec);
        }
        if (kinds.firstBoolean != null) {
          throw typeError(kinds.firstBoolean, "a boolean", spec);
        }
        return new NdValue(dtype, shape,
            count == 0 ? new byte[0][] : Arrays.copyOf(strings, count));
      }
      default -> throw badRequest("Conversion of JSON Value to type: " + dtype + " is not "
          + "supported (input '" + spec.key() + "' is " + spec.describe() + "; this server "
          + "converts JSON to float32, float64, int32, int64, bool and string)");
    }
  }

  private void requireNoStrings(TensorSpec spec) {
    if (kinds.firstString != null) {
      throw typeError(kinds.firstString, "a string", spec);
    }
  }

  private void requireNumbers(TensorSpec spec) {
    requireNoStrings(spec);
    if (kinds.firstBoolean != null) {
      throw typeError(kinds.firstBoolean, "a boolean", spec);
    }
  }

  private void requireIntegers(TensorSpec spec) {
    requireNumbers(spec);
    if (kinds.firstOutsideInt64 != null) {
      throw typeError(kinds.firstOutsideInt64, "outside the int64 range", spec);
    }
    if (kinds.firstDecimal != null) {
      throw typeError(kinds.firstDecimal, "not an integer", spec);
    }
  }

  private PredictionException typeError(String example, String what, TensorSpec spec) {
    return badRequest(example + " is " + what + "; input '" + spec.key()
        + "' takes " + NdValue.dtypeName(spec.dtype()) + " values (" + spec.describe() + ")");
  }

  /** What kinds of JSON values a tensor held: the first of each (as written) and the extremes. */
  static final class ValueKinds {
    /**
     * The first decimal (a number not written as an int64, NaN and Infinity included) as
     * {@code 'inputs'[0][3]: 0.5}, or null; the same for the first boolean and first number.
     */
    String firstDecimal;
    String firstBoolean;
    /** The first number of any kind, or null. */
    String firstNumber;
    /** The first string (or base64 bytes), or null. */
    String firstString;
    /** The first integer written beyond the int64 range, or null. */
    String firstOutsideInt64;
    long smallestInteger = Long.MAX_VALUE;
    long largestInteger = Long.MIN_VALUE;
  }
}
