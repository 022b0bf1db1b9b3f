package org.tfrnn.data;

/** Conversions of sparse integer class labels. */
public final class Labels {
  private Labels() {}

  /** Row-major {@code [labels.length][numClasses]} floats: 1 at each label's class, 0 elsewhere. */
  public static float[] oneHot(int[] labels, int numClasses) {
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    float[] oneHot = new float[Math.multiplyExact(labels.length, numClasses)];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at index " + i + " is outside 0.." + (numClasses - 1));
      }
      oneHot[i * numClasses + labels[i]] = 1.0f;
    }
    return oneHot;
  }
}
