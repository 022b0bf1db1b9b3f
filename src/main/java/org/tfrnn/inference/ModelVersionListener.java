package org.tfrnn.inference;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link VersionedModel} reports: versions loaded, retired or refused, and base paths it
 * could not read. It prints nothing itself; a front end's listener or the command line does.
 * Calls come from the thread that loads or retires the version.
 */
public interface ModelVersionListener {
  /** A version was loaded and now answers requests. */
  default void versionLoaded(String model, long version, Path directory, Duration loadTime) {}

  /** A version stopped answering (a newer one replaced it, or the model closed) and was freed. */
  default void versionUnloaded(String model, long version) {}

  /**
   * A version could not be loaded; the model keeps serving the version it had and does not try
   * this one again.
   */
  default void versionFailed(String model, long version, Path directory, Exception cause) {}

  /** The base path could not be read while looking for new versions (retried at the next poll). */
  default void pollFailed(String model, Path basePath, Exception cause) {}
}
