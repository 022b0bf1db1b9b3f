package org.tfrnn.inference;

/**
 * A prediction that could not be made, with the {@link Reason} a front end maps to its own status
 * (REST: 400, 404, 503, 500; gRPC: INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, INTERNAL). The
 * message says what and where, ready to show the caller. Every check on a request is made in
 * Java, before any native call.
 */
public final class PredictionException extends RuntimeException {
  /** Why the prediction failed, from the caller's point of view. */
  public enum Reason {
    /**
     * The request is at fault: unknown signature, missing or unknown input or output, wrong dtype
     * or shape, malformed body, or a value TensorFlow refused at run time.
     */
    BAD_REQUEST,
    /** The request names a model version that is not served. */
    NOT_FOUND,
    /** The model is closed or shutting down; the request may succeed elsewhere or later. */
    UNAVAILABLE,
    /** The model or the server failed through no fault of the request. */
    MODEL_FAILED,
    /** TensorFlow's run did not finish within the request's time limit and was cancelled. */
    DEADLINE_EXCEEDED
  }

  private final Reason reason;

  private PredictionException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public static PredictionException badRequest(String message) {
    return new PredictionException(Reason.BAD_REQUEST, message, null);
  }

  public static PredictionException badRequest(String message, Throwable cause) {
    return new PredictionException(Reason.BAD_REQUEST, message, cause);
  }

  public static PredictionException notFound(String message) {
    return new PredictionException(Reason.NOT_FOUND, message, null);
  }

  public static PredictionException unavailable(String message) {
    return new PredictionException(Reason.UNAVAILABLE, message, null);
  }

  public static PredictionException modelFailed(String message) {
    return new PredictionException(Reason.MODEL_FAILED, message, null);
  }

  public static PredictionException modelFailed(String message, Throwable cause) {
    return new PredictionException(Reason.MODEL_FAILED, message, cause);
  }

  public static PredictionException deadlineExceeded(String message, Throwable cause) {
    return new PredictionException(Reason.DEADLINE_EXCEEDED, message, cause);
  }

  public Reason reason() {
    return reason;
  }

  /** Whether the request was at fault (HTTP 400) rather than the model or the server. */
  public boolean badRequest() {
    return reason == Reason.BAD_REQUEST;
  }
}
