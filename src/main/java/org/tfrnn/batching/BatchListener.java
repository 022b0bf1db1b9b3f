package org.tfrnn.batching;

/**
 * What a {@link BatchScheduler} reports: one call per batch it ran, from the batch thread, after
 * the model ran and before the requests get their answers. A listener must be quick and must not
 * throw (what it throws is dropped, so that a listener never fails a request).
 */
public interface BatchListener {
  /** Reports nothing. */
  BatchListener NONE = new BatchListener() {};

  /** A batch ran (successfully or not). */
  default void batchRun(BatchRun run) {}
}
