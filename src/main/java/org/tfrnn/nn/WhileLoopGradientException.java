package org.tfrnn.nn;

/**
 * Thrown instead of calling TensorFlow's native gradient builder on a path through a while loop:
 * that call aborts the whole JVM in TensorFlow Java 1.0.0 and 1.1.0 (a CHECK failure in
 * tensorflow/cc/framework/gradients.cc), and its result could not be right for an RNN anyway.
 */
public final class WhileLoopGradientException extends IllegalArgumentException {
  public WhileLoopGradientException(String message) {
    super(message);
  }
}
