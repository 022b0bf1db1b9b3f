package org.tfrnn.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link ModelServer} reports while it runs: versions loaded, retired or refused, and
 * requests it failed on its own account (answered with HTTP 500). The server itself prints
 * nothing; the command line prints these. Calls come from the server's threads.
 */
public interface ServerListener {
  /** Reports nothing. */
  ServerListener NONE = new ServerListener() {};

  /** A version was loaded and now answers requests. */
  default void versionLoaded(String model, long version, Path directory, Duration loadTime) {}

  /** A version stopped answering (a newer one replaced it, or the server stopped) and was freed. */
  default void versionUnloaded(String model, long version) {}

  /**
   * A version could not be loaded; the server keeps serving the version it had and does not try
   * this one again.
   */
  default void versionFailed(String model, long version, Path directory, Exception cause) {}

  /** The base path could not be read while looking for new versions (retried at the next poll). */
  default void pollFailed(String model, Path basePath, Exception cause) {}

  /** A request failed through no fault of its own; the client got a 500 without the details. */
  default void requestFailed(String method, String path, Throwable cause) {}
}
