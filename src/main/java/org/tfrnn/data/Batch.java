package org.tfrnn.data;

import java.util.Arrays;

/**
 * A batch of {@code size} examples: {@code images} is row-major {@code [size][imageSize]}, {@code
 * labels} holds one class index per example. The arrays belong to the batch (not shared).
 */
public record Batch(float[] images, int[] labels, int size) {

  public Batch {
    if (size <= 0 || labels.length != size || images.length % size != 0) {
      throw new IllegalArgumentException("a batch of size " + size + " cannot have "
          + labels.length + " labels and " + images.length + " image values");
    }
  }

  /** Values per image (784 for MNIST). */
  public int imageSize() {
    return images.length / size;
  }

  /** The labels one-hot encoded, row-major {@code [size][numClasses]}. */
  public float[] oneHotLabels(int numClasses) {
    return Labels.oneHot(labels, numClasses);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Batch other
        && size == other.size
        && Arrays.equals(images, other.images)
        && Arrays.equals(labels, other.labels);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(images) + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "Batch[size=" + size + ", imageSize=" + imageSize() + "]";
  }
}
