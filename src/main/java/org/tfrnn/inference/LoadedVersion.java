package org.tfrnn.inference;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model, shared by the requests that use it. Each request holds it while
 * it runs ({@link #tryHold}, {@link Hold#close}); the server holds it while it is the served
 * version. {@link #retire} drops the server's hold and frees the model once the last request is
 * done, so a version switch never closes a model under a request that already picked it.
 */
public final class LoadedVersion {
  private final long version;
  private final Predictor predictor;
  // Holders: 1 for the server while this version is served, plus one per request using it. Once
  // it reaches 0 it stays 0: nobody can pick the version up again.
  private final AtomicInteger holders = new AtomicInteger(1);
  private final CountDownLatch released = new CountDownLatch(1);

  LoadedVersion(long version, Predictor predictor) {
    this.version = version;
    this.predictor = predictor;
  }

  public long version() {
    return version;
  }

  public Predictor predictor() {
    return predictor;
  }

  /** A hold for one request, or null if this version was retired and released meanwhile. */
  Hold tryHold() {
    while (true) {
      int n = holders.get();
      if (n == 0) {
        return null;
      }
      if (holders.compareAndSet(n, n + 1)) {
        return new Hold();
      }
    }
  }

  private void release() {
    if (holders.decrementAndGet() == 0) {
      released.countDown();
    }
  }

  /**
   * Drops the server's hold, waits for the requests still using this version, then frees the
   * native model. Call once, after this version stopped being the served one.
   */
  void retire() {
    release();
    boolean interrupted = false;
    while (true) {
      try {
        released.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the model must still be freed; keep waiting, then re-interrupt
      }
    }
    predictor.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A request's hold on this version; close it when the request is done. */
  public final class Hold implements AutoCloseable {
    private boolean closed;

    public LoadedVersion loaded() {
      return LoadedVersion.this;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release();
      }
    }
  }
}
