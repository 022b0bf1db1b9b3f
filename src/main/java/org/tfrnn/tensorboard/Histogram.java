package org.tfrnn.tensorboard;

import java.util.Arrays;
import org.tensorflow.proto.HistogramProto;

/**
 * TensorFlow's {@code tensorflow::histogram::Histogram} with its default buckets: limits growing
 * by 10% from ±1e-12 to ±1e20, a bucket at zero, and ±DBL_MAX at the ends. Encoded as TensorFlow's
 * {@code EncodeToProto(preserve_zero_buckets=false)}: each run of empty buckets becomes one empty
 * bucket ending where the run ends.
 */
public final class Histogram {
  private static final double[] DEFAULT_LIMITS = defaultLimits();

  private Histogram() {}

  public static HistogramProto of(float[] values) {
    double[] counts = new double[DEFAULT_LIMITS.length];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    double sum = 0;
    double sumSquares = 0;
    for (float f : values) {
      double v = f;
      counts[upperBound(v)]++;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sumSquares += v * v;
    }
    HistogramProto.Builder proto = HistogramProto.newBuilder()
        .setMin(min).setMax(max).setNum(values.length).setSum(sum).setSumSquares(sumSquares);
    for (int i = 0; i < counts.length; ) {
      double end = DEFAULT_LIMITS[i];
      double count = counts[i];
      int j = i + 1;
      if (count == 0) {
        while (j < counts.length && counts[j] == 0) {
          end = DEFAULT_LIMITS[j];
          j++;
        }
      }
      proto.addBucketLimit(end).addBucket(count);
      i = j;
    }
    return proto.build();
  }

  /** The first bucket whose limit is greater than {@code value} (C++ {@code std::upper_bound}). */
  private static int upperBound(double value) {
    int index = Arrays.binarySearch(DEFAULT_LIMITS, value);
    if (index >= 0) {
      return Math.min(index + 1, DEFAULT_LIMITS.length - 1);
    }
    return Math.min(-index - 1, DEFAULT_LIMITS.length - 1);
  }

  private static double[] defaultLimits() {
    java.util.List<Double> positive = new java.util.ArrayList<>();
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) {
      positive.add(v);
    }
    positive.add(Double.MAX_VALUE);
    double[] limits = new double[2 * positive.size() + 1];
    for (int i = 0; i < positive.size(); i++) {
      limits[positive.size() - 1 - i] = -positive.get(i);
      limits[positive.size() + 1 + i] = positive.get(i);
    }
    limits[positive.size()] = 0.0;
    return limits;
  }
}
