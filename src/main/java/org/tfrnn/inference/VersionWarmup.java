package org.tfrnn.inference;

import java.io.IOException;

/**
 * Runs on a freshly loaded version before it is reported available and answers requests
 * (TensorFlow Serving's SavedModel warm-up); a failure fails that version's load.
 */
@FunctionalInterface
public interface VersionWarmup {
  /** Does nothing. */
  VersionWarmup NONE = (model, version, predictor) -> { };

  /**
   * @throws IOException or a runtime exception, with one line naming what failed and where: the
   *     version is then not loaded
   */
  void warmUp(String model, long version, Predictor predictor) throws IOException;
}
