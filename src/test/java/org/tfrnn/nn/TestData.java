package org.tfrnn.nn;

import java.util.SplittableRandom;

/** Small random arrays for graph tests, reproducible from a seed. */
final class TestData {
  private final SplittableRandom random;

  TestData(long seed) {
    random = new SplittableRandom(seed);
  }

  float[] uniform(int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  int[] labels(int n, int classes) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextInt(classes);
    }
    return v;
  }

  static double[][][] reshape3(float[] flat, int a, int b, int c) {
    double[][][] out = new double[a][b][c];
    for (int i = 0; i < a; i++) {
      for (int j = 0; j < b; j++) {
        for (int k = 0; k < c; k++) {
          out[i][j][k] = flat[(i * b + j) * c + k];
        }
      }
    }
    return out;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
