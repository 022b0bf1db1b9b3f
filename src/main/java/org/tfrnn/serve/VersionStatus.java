package org.tfrnn.serve;

/**
 * The state of one model version as TensorFlow Serving's status API reports it.
 *
 * @param state {@code AVAILABLE} while it answers requests, {@code END} once it was replaced or
 *     failed to load
 * @param errorCode {@code OK}, or {@code UNKNOWN} for a version that failed to load
 * @param errorMessage why it failed to load, else empty
 */
public record VersionStatus(long version, String state, String errorCode, String errorMessage) {
  static VersionStatus available(long version) {
    return new VersionStatus(version, "AVAILABLE", "OK", "");
  }

  static VersionStatus ended(long version) {
    return new VersionStatus(version, "END", "OK", "");
  }

  static VersionStatus failed(long version, String message) {
    return new VersionStatus(version, "END", "UNKNOWN", message);
  }

  public boolean available() {
    return state.equals("AVAILABLE");
  }
}
