package org.tfrnn.serve;

import java.nio.file.Path;
import java.time.Duration;
import org.tfrnn.batching.BatchListener;
import org.tfrnn.inference.ModelVersionListener;

/**
 * What a {@link ModelServer} reports while it runs: the versions of its model (loaded, retired or
 * refused, see {@link ModelVersionListener}) and requests it failed on its own account (answered
 * with HTTP 500), and, with batching on, each batch it ran ({@link BatchListener}). The server
 * itself prints nothing; the command line prints these. Calls come from the server's threads.
 */
public interface ServerListener extends ModelVersionListener, BatchListener {
  /** Reports nothing. */
  ServerListener NONE = new ServerListener() {};

  /**
   * A freshly loaded version ran the requests of its warm-up file (before it answers requests);
   * {@code skipped} of the {@code records} were of a kind this server does not run.
   */
  default void versionWarmedUp(String model, long version, Path file, int records, int skipped,
      Duration time) {}

  /** A request failed through no fault of its own; the client got a 500 without the details. */
  default void requestFailed(String method, String path, Throwable cause) {}
}
