package org.tfrnn.lockstep;

import java.util.Arrays;
import java.util.Map;
import org.tfrnn.tensors.NdValue;

/**
 * How far Java's values are from Python's, in the terms of the lockstep bounds: an element agrees
 * when |java − python| ≤ max(1e-4·|python|, 1e-6).
 *
 * @param maxRelative max |java − python| / |python| over elements with |python| ≥ 1e-2, where the
 *     relative bound governs (NaN if there are none: Adam's second moments are all smaller)
 * @param normwise max |java − python| / max |python| over the tensor (or group of tensors)
 * @param outside elements outside the bound
 * @param worstRatio the largest difference as a multiple of its bound
 * @param worst the variable and element with that difference
 */
record Drift(double maxRelative, double normwise, long outside, double worstRatio, String worst) {
  static final double RELATIVE = 1e-4;
  static final double ABSOLUTE = 1e-6;
  /** Below this magnitude the absolute bound is the looser one. */
  static final double NEAR_ZERO = ABSOLUTE / RELATIVE;

  static final Drift NONE = new Drift(Double.NaN, 0, 0, -1, "");

  static Drift of(String name, NdValue java, NdValue python) {
    if (java.dtype() != python.dtype() || !Arrays.equals(java.shape(), python.shape())) {
      throw new AssertionError(name + ": Java has " + java + ", Python " + python);
    }
    double maxRelative = Double.NaN;
    double maxDifference = 0;
    double maxMagnitude = 0;
    double worstRatio = -1;
    String worst = "";
    long outside = 0;
    for (int i = 0; i < python.size(); i++) {
      double p = python.asDouble(i);
      double j = java.asDouble(i);
      double difference = Math.abs(j - p);
      maxDifference = Math.max(maxDifference, difference);
      maxMagnitude = Math.max(maxMagnitude, Math.abs(p));
      if (Math.abs(p) >= NEAR_ZERO) {
        double relative = difference / Math.abs(p);
        maxRelative = Double.isNaN(maxRelative) ? relative : Math.max(maxRelative, relative);
      }
      double ratio = difference / Math.max(RELATIVE * Math.abs(p), ABSOLUTE);
      if (ratio > 1 || Double.isNaN(j) != Double.isNaN(p)) {
        outside++;
      }
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = name + "[" + i + "]: Java " + j + ", Python " + p;
      }
    }
    double normwise = maxMagnitude == 0 ? maxDifference : maxDifference / maxMagnitude;
    return new Drift(maxRelative, normwise, outside, worstRatio, worst);
  }

  /** The drift of a group of variables: the largest of each measure, the outside counts summed. */
  static Drift over(Map<String, NdValue> java, Map<String, NdValue> python,
      java.util.function.Predicate<String> inGroup) {
    Drift total = NONE;
    for (String name : python.keySet()) {
      if (inGroup.test(name)) {
        total = total.plus(of(name, java.get(name), python.get(name)));
      }
    }
    return total;
  }

  Drift plus(Drift other) {
    double relative = Double.isNaN(maxRelative) ? other.maxRelative
        : Double.isNaN(other.maxRelative) ? maxRelative : Math.max(maxRelative, other.maxRelative);
    Drift worse = other.worstRatio > worstRatio ? other : this;
    return new Drift(relative, Math.max(normwise, other.normwise), outside + other.outside,
        worse.worstRatio, worse.worst);
  }

  String describe() {
    return String.format("max relative %s, normwise %.1e, %d elements outside the bound%s",
        Double.isNaN(maxRelative) ? "n/a" : String.format("%.1e", maxRelative), normwise, outside,
        outside == 0 ? "" : " (worst, " + String.format("%.0f", worstRatio) + "x its bound: "
            + worst + ")");
  }
}
