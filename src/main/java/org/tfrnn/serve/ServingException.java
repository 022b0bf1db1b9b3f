package org.tfrnn.serve;

/**
 * A request the server refuses before any model sees it, with the HTTP status TensorFlow Serving
 * would answer: 404 for an unknown model, version or path, 405 for a wrong method, 413 for a body
 * over the limit, 501 for an API this server does not offer. The message goes to the client as {@code {"error": ...}}.
 */
final class ServingException extends RuntimeException {
  private final int httpStatus;

  ServingException(int httpStatus, String message) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
  }

  int httpStatus() {
    return httpStatus;
  }

  static ServingException notFound(String message) {
    return new ServingException(404, message);
  }
}
