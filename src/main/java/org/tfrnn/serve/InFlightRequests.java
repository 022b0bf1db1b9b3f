package org.tfrnn.serve;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the requests being handled, so that shutting down can refuse new ones and wait for
 * those already admitted.
 */
final class InFlightRequests {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private int active;
  private boolean closed;

  /** Admits a request, or returns false once {@link #closeAndAwait} was called. */
  boolean enter() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      active++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ends a request admitted by {@link #enter}. */
  void exit() {
    lock.lock();
    try {
      if (--active == 0) {
        drained.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  int active() {
    lock.lock();
    try {
      return active;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Admits no more requests and waits up to {@code timeout} for the admitted ones to end.
   *
   * @return whether they all ended in time
   */
  boolean closeAndAwait(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      closed = true;
      while (active > 0) {
        if (remaining <= 0) {
          return false;
        }
        remaining = drained.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
