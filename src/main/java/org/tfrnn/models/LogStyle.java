package org.tfrnn.models;

/** Which notebook's progress log a preset reproduces, and at which steps it reports. */
public enum LogStyle {
  /** 000: {@code Step 200, Minibatch Loss= 2.0898, Training Accuracy= 0.273} at step 1 and every N. */
  STEP_LOSS_ACCURACY,
  /** 001: {@code Iter 1000, Minibatch Loss= 1.933472, Training Accuracy= 0.37000} every N steps. */
  ITER_LOSS_ACCURACY,
  /** 002: {@code 0 train_accuracy: 0.6696 test_accuracy: 0.6786} once per epoch. */
  EPOCH_TRAIN_TEST_ACCURACY,
  /** 003: {@code Iteration:  1280 loss:  1.91178 Accuracy:  0.367188} every N steps. */
  ITERATION_LOSS_ACCURACY,
  /** 004: {@code STEP 0 : ACCURACY 0.25} at zero-based steps 0, N, 2N, ... */
  STEP_ACCURACY;

  /** Whether the notebook prints a minibatch report after (one-based) training step {@code step}. */
  public boolean reportsAfterStep(int step, int displayStep) {
    return switch (this) {
      case STEP_LOSS_ACCURACY -> step == 1 || step % displayStep == 0;
      case ITER_LOSS_ACCURACY, ITERATION_LOSS_ACCURACY -> step % displayStep == 0;
      case STEP_ACCURACY -> (step - 1) % displayStep == 0;
      case EPOCH_TRAIN_TEST_ACCURACY -> false;
    };
  }

  public boolean reportsPerEpoch() {
    return this == EPOCH_TRAIN_TEST_ACCURACY;
  }
}
