package org.tfrnn.train;

import org.tensorflow.proto.ConfigProto;

/**
 * TensorFlow's session thread pools ({@code ConfigProto} {@code intra_op_parallelism_threads} and
 * {@code inter_op_parallelism_threads}): threads inside one op, and ops run at once. 0 leaves the
 * choice to TensorFlow (one per core for each).
 */
public record SessionThreads(int intraOp, int interOp) {
  public static final SessionThreads DEFAULT = new SessionThreads(0, 0);

  /**
   * For a graph of {@code lanes} independent chains: one inter-op thread per lane and the cores
   * shared among them inside each op (on 2 cores and 2 lanes: 1,2, each lane on its own core; one
   * lane: TensorFlow's default). Measured against TensorFlow's default in BENCHMARKS.md.
   */
  public static SessionThreads forLanes(int lanes) {
    return forLanes(lanes, Runtime.getRuntime().availableProcessors());
  }

  static SessionThreads forLanes(int lanes, int cores) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
    }
    return lanes == 1 ? DEFAULT : new SessionThreads(Math.max(1, cores / lanes), lanes);
  }

  public SessionThreads {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException(
          "session threads must be 0 (TensorFlow's default) or positive, got " + intraOp + ","
              + interOp);
    }
  }

  /** {@code INTRA,INTER}, e.g. {@code 2,1}. */
  public static SessionThreads parse(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("--threads takes INTRA,INTER (two integers, 0 = "
          + "TensorFlow's default), got '" + text + "'");
    }
    try {
      return new SessionThreads(
          Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--threads takes INTRA,INTER (two integers, 0 = "
          + "TensorFlow's default), got '" + text + "'");
    }
  }

  public ConfigProto config() {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOp)
        .setInterOpParallelismThreads(interOp)
        .build();
  }

  @Override
  public String toString() {
    return intraOp + "," + interOp;
  }
}
