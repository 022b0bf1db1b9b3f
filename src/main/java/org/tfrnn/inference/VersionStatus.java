package org.tfrnn.inference;

/**
 * The state of one model version as TensorFlow Serving's status API reports it.
 *
 * @param state {@code AVAILABLE} while it answers requests, {@code END} once it was replaced or
 *     failed to load
 * @param errorCode {@code OK}, or {@code UNKNOWN} for a version that failed to load
 * @param errorMessage why it failed to load, else empty
 */
public record VersionStatus(long version, String state, String errorCode, String errorMessage) {
  public static VersionStatus available(long version) {
    return new VersionStatus(version, "AVAILABLE", "OK", "");
  }

  public static VersionStatus ended(long version) {
    return new VersionStatus(version, "END", "OK", "");
  }

  public static VersionStatus failed(long version, String message) {
    return new VersionStatus(version, "END", "UNKNOWN", message);
  }
}
