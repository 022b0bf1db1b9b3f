package org.tfrnn.train;

/** Progress of a training run. The library reports through this; only the CLI prints. */
public interface TrainingListener {

  /** After the update of one-based training step {@code step}, which took {@code seconds}. */
  default void onStep(int step, double seconds) {}

  /** After training step {@code step} (one-based), the loss and accuracy on that same minibatch. */
  default void onMinibatch(int step, int batchSize, float loss, float accuracy) {}

  /** After epoch {@code epoch} (zero-based): accuracy on the whole training and test splits. */
  default void onEpoch(int epoch, double trainAccuracy, double testAccuracy) {}

  TrainingListener NONE = new TrainingListener() {};
}
