package org.tfrnn.serve;

/**
 * A request a model cannot answer: unknown signature, missing or unknown input, wrong dtype or
 * shape (all detected in Java, before any native call), or an error TensorFlow reported while
 * running. The message says what and where, ready to show the caller.
 */
public final class PredictionException extends RuntimeException {
  /** Whether the request was at fault (HTTP 400) rather than the model or server. */
  private final boolean badRequest;

  public PredictionException(String message, boolean badRequest) {
    super(message);
    this.badRequest = badRequest;
  }

  public PredictionException(String message, boolean badRequest, Throwable cause) {
    super(message, cause);
    this.badRequest = badRequest;
  }

  public boolean badRequest() {
    return badRequest;
  }
}
