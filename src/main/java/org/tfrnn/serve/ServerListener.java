package org.tfrnn.serve;

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

  /** A request failed through no fault of its own; the client got a 500 without the details. */
  default void requestFailed(String method, String path, Throwable cause) {}
}
