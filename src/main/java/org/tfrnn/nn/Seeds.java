package org.tfrnn.nn;

/**
 * Seeds for a graph's random ops, as TF1 derives them: one graph-level seed and a distinct
 * op-level seed per random op, so the same seed rebuilds the same initial weights.
 */
public final class Seeds {
  private final long graphSeed;
  private long nextOpSeed = 1;

  public Seeds(long graphSeed) {
    this.graphSeed = graphSeed;
  }

  public long graphSeed() {
    return graphSeed;
  }

  /** The next op-level seed. */
  public long next() {
    return nextOpSeed++;
  }
}
