package org.tfrnn.batching;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.tensors.NdValue;

/**
 * Merging requests' values along dimension 0 and splitting the answers back, as TensorFlow
 * Serving's {@code BatchingSession} does (its messages included). Works on any {@link NdValue}
 * dtype: the flat arrays are copied with {@link System#arraycopy}.
 */
final class BatchTensors {
  private BatchTensors() {}

  /**
   * A request's batch size: the common size of dimension 0 of its inputs.
   *
   * @throws PredictionException (bad request) if an input has no dimension 0 or they differ
   */
  static int taskSize(Map<String, NdValue> inputs) {
    if (inputs.isEmpty()) {
      throw PredictionException.badRequest("Batching Run() must have at least one input tensor");
    }
    long size = -1;
    for (NdValue value : inputs.values()) {
      if (value.rank() == 0) {
        throw PredictionException.badRequest(
            "Batching Run() input tensors must have at least one dimension");
      }
      if (size >= 0 && value.dim(0) != size) {
        throw PredictionException.badRequest(
            "Batching Run() input tensors must have equal 0th-dimension size");
      }
      size = value.dim(0);
    }
    if (size > Integer.MAX_VALUE) {
      throw PredictionException.badRequest("a batch of " + size + " rows is too large");
    }
    return (int) size;
  }

  /**
   * The inputs of several requests merged along dimension 0, in order, then padded to
   * {@code paddedRows} rows with copies of the first row of the last request that has one.
   *
   * @param padVariableLength pad dimensions other than 0 to the largest among the requests (with
   *     each value's own first element); if false, requests differing there fail the batch
   * @throws PredictionException (bad request) if the values cannot be merged
   */
  static Map<String, NdValue> merge(List<Map<String, NdValue>> requests, int paddedRows,
      boolean padVariableLength) {
    Map<String, NdValue> merged = new LinkedHashMap<>();
    for (String key : requests.get(0).keySet()) {
      List<NdValue> values = new ArrayList<>(requests.size());
      requests.forEach(request -> values.add(request.get(key)));
      merged.put(key, concat(key, values, paddedRows, padVariableLength));
    }
    return merged;
  }

  private static NdValue concat(String key, List<NdValue> values, int paddedRows,
      boolean padVariableLength) {
    NdValue first = values.get(0);
    long[] shape = first.shape();
    for (NdValue value : values) {
      if (value.rank() != shape.length || !sameBeyondDimension0(value.shape(), shape)) {
        if (!padVariableLength || value.rank() != shape.length) {
          throw PredictionException.badRequest("Tensors with name '" + key + "' from different "
              + "tasks have different shapes and padding is turned off. Set "
              + "pad_variable_length_inputs to true, or ensure that all tensors with the same "
              + "name have equal dimensions starting with the first dim.");
        }
        for (int d = 1; d < shape.length; d++) {
          shape[d] = Math.max(shape[d], value.dim(d));
        }
      }
    }
    List<NdValue> parts = new ArrayList<>(values.size());
    long rows = 0;
    for (NdValue value : values) {
      parts.add(padTo(value, shape));
      rows += value.dim(0);
    }
    long rowElements = NdValue.elementCount(Arrays.copyOfRange(shape, 1, shape.length));
    shape[0] = Math.max(rows, paddedRows);
    Object data = Array.newInstance(first.data().getClass().getComponentType(),
        Math.toIntExact(NdValue.elementCount(shape)));
    int offset = 0;
    NdValue lastWithRows = null;
    for (NdValue part : parts) {
      int length = Array.getLength(part.data());
      System.arraycopy(part.data(), 0, data, offset, length);
      offset += length;
      if (part.dim(0) > 0) {
        lastWithRows = part;
      }
    }
    // Padding rows: the first row of the last request, which is known to be a valid input row.
    for (long row = rows; row < paddedRows && lastWithRows != null; row++) {
      System.arraycopy(lastWithRows.data(), 0, data, offset, (int) rowElements);
      offset += (int) rowElements;
    }
    return new NdValue(first.dtype(), shape, data);
  }

  private static boolean sameBeyondDimension0(long[] a, long[] b) {
    return Arrays.equals(a, 1, a.length, b, 1, b.length);
  }

  /** {@code value} padded at the end of dimensions 1.. to {@code shape} with its first element. */
  private static NdValue padTo(NdValue value, long[] shape) {
    long[] own = value.shape();
    long[] target = shape.clone();
    target[0] = own[0];
    if (Arrays.equals(own, target)) {
      return value;
    }
    int n = Math.toIntExact(NdValue.elementCount(target));
    Object source = value.data();
    if (Array.getLength(source) == 0) {
      throw PredictionException.badRequest("Got empty tensor in batch of non-empty tensors.");
    }
    Object data = Array.newInstance(source.getClass().getComponentType(), n);
    fillWithFirst(source, data);
    // Copy each innermost run of the value to its place in the larger shape.
    int rank = own.length;
    int run = (int) own[rank - 1];
    int[] index = new int[rank - 1];
    for (int from = 0; from < Array.getLength(source); from += run) {
      int to = 0;
      for (int d = 0; d < rank - 1; d++) {
        to = (int) (to * target[d] + index[d]);
      }
      System.arraycopy(source, from, data, (int) (to * target[rank - 1]), run);
      for (int d = rank - 2; d >= 0 && ++index[d] == own[d]; d--) {
        index[d] = 0;
      }
    }
    return new NdValue(value.dtype(), target, data);
  }

  /** Fills {@code data} with the first element of {@code source} (doubling copies). */
  private static void fillWithFirst(Object source, Object data) {
    int n = Array.getLength(data);
    if (n == 0) {
      return;
    }
    System.arraycopy(source, 0, data, 0, 1);
    for (int filled = 1; filled < n; filled *= 2) {
      System.arraycopy(data, 0, data, filled, Math.min(filled, n - filled));
    }
  }

  /**
   * A batched output split back into one value per request, by rows; the padding rows after
   * them are dropped.
   *
   * @throws PredictionException (model failed) if the output is not batch-major
   */
  static List<NdValue> split(String key, NdValue output, int[] taskRows, int paddedRows) {
    if (output.rank() == 0) {
      throw PredictionException.modelFailed("Batched output tensor has 0 dimensions (output '"
          + key + "')");
    }
    if (output.dim(0) != paddedRows) {
      throw PredictionException.modelFailed("Batched output tensor's 0th dimension does not "
          + "equal the sum of the 0th dimension sizes of the input tensors (output '" + key
          + "': " + output.dim(0) + " rows for " + paddedRows + ")");
    }
    long[] shape = output.shape();
    int rowElements = paddedRows == 0 ? 0 : Array.getLength(output.data()) / paddedRows;
    List<NdValue> parts = new ArrayList<>(taskRows.length);
    int offset = 0;
    for (int rows : taskRows) {
      Object data = Array.newInstance(output.data().getClass().getComponentType(),
          rows * rowElements);
      System.arraycopy(output.data(), offset, data, 0, rows * rowElements);
      offset += rows * rowElements;
      shape[0] = rows;
      parts.add(new NdValue(output.dtype(), shape, data));
    }
    return parts;
  }
}
