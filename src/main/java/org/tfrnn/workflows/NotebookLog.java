package org.tfrnn.workflows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import org.tfrnn.models.LogStyle;

/** The notebooks' log lines, formatted as each notebook's Python printed them. */
final class NotebookLog {
  private NotebookLog() {}

  /** The minibatch report after one-based {@code step}. */
  static String minibatch(LogStyle style, int step, int batchSize, float loss, float accuracy) {
    return switch (style) {
      case STEP_LOSS_ACCURACY -> String.format(Locale.ROOT,
          "Step %d, Minibatch Loss= %.4f, Training Accuracy= %.3f", step, loss, accuracy);
      case ITER_LOSS_ACCURACY -> String.format(Locale.ROOT,
          "Iter %d, Minibatch Loss= %.6f, Training Accuracy= %.5f",
          (long) step * batchSize, loss, accuracy);
      // Python 2's print of numpy float32 values: six significant digits.
      case ITERATION_LOSS_ACCURACY -> "Iteration:  " + (long) step * batchSize + " loss:  "
          + pythonG(loss, 6) + " Accuracy:  " + pythonG(accuracy, 6);
      case STEP_ACCURACY -> "STEP " + (step - 1) + " : ACCURACY " + pythonFloat32(accuracy);
      case EPOCH_TRAIN_TEST_ACCURACY -> throw new IllegalArgumentException(
          "notebook 002 reports per epoch, not per minibatch");
    };
  }

  static String epoch(int epoch, double trainAccuracy, double testAccuracy) {
    return epoch + " train_accuracy: " + pythonFloat32((float) trainAccuracy)
        + " test_accuracy: " + pythonFloat32((float) testAccuracy);
  }

  /** The line the notebook prints when training ends, or null if it prints none. */
  static String finished(LogStyle style) {
    return switch (style) {
      case STEP_LOSS_ACCURACY, ITER_LOSS_ACCURACY -> "Optimization Finished!";
      case ITERATION_LOSS_ACCURACY -> "Done Training";
      case STEP_ACCURACY, EPOCH_TRAIN_TEST_ACCURACY -> null;
    };
  }

  /** The notebook's own test-accuracy line, or null (notebook 002 reports it per epoch). */
  static String testAccuracy(LogStyle style, float accuracy) {
    return switch (style) {
      case STEP_LOSS_ACCURACY, ITER_LOSS_ACCURACY -> "Testing Accuracy: " + pythonFloat32(accuracy);
      case ITERATION_LOSS_ACCURACY -> "Test Accuracy: " + pythonG(accuracy, 6);
      case STEP_ACCURACY -> "FINAL ACCURACY: " + pythonFloat32(accuracy);
      case EPOCH_TRAIN_TEST_ACCURACY -> null;
    };
  }

  /** numpy's repr of a float32: the shortest decimal that reads back as the same float. */
  static String pythonFloat32(float value) {
    return Float.toString(value);
  }

  /** Python's {@code '%.{digits}g' % value} for ordinary magnitudes: trailing zeros dropped. */
  static String pythonG(double value, int digits) {
    if (value == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(digits));
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** A numpy-style row {@code [[-2.85356975 -0.46849513  0.41614413]]}. */
  static String row(float[] values, String format) {
    StringBuilder line = new StringBuilder("[[");
    for (int i = 0; i < values.length; i++) {
      String number = String.format(Locale.ROOT, format, values[i]);
      if (i > 0) {
        line.append(' ');
      }
      line.append(values[i] < 0 ? number : " " + number);
    }
    return line.append("]]").toString();
  }
}
