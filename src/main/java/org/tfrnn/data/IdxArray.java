package org.tfrnn.data;

import java.util.Arrays;

/**
 * The contents of an IDX file of unsigned bytes: its dimensions and its data in row-major order, as
 * stored (read a value with {@code data[i] & 0xFF}).
 */
public record IdxArray(int[] dims, byte[] data) {

  public IdxArray {
    if (dims.length == 0) {
      throw new IllegalArgumentException("an IDX array needs at least one dimension");
    }
    long count = 1;
    for (int d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException("dimensions must be positive: " + Arrays.toString(dims));
      }
      count *= d;
    }
    if (count != data.length) {
      throw new IllegalArgumentException(
          "dimensions " + Arrays.toString(dims) + " need " + count + " bytes, data has " + data.length);
    }
  }

  /** The size of the first dimension: the number of images or labels. */
  public int count() {
    return dims[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxArray other
        && Arrays.equals(dims, other.dims)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxArray[dims=" + Arrays.toString(dims) + ", " + data.length + " bytes]";
  }
}
