package org.tfrnn.cli;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.tfrnn.train.TrainingListener;

/**
 * A live progress line for a terminal: step/total, steps per second, time left, and the last
 * minibatch loss and accuracy. Drawn by {@code me.tongfei:progressbar} on stderr; the CLI uses it
 * only when the console is interactive, so piped output keeps the notebook's lines alone.
 */
final class ProgressLine implements TrainingListener, AutoCloseable {
  private final int totalSteps;
  private ProgressBar bar;

  ProgressLine(int totalSteps) {
    this.totalSteps = totalSteps;
  }

  @Override
  public void onStep(int step, double seconds) {
    if (bar == null) {
      // A resumed run starts part way: time left counts only the steps still to run.
      bar = new ProgressBarBuilder()
          .setTaskName("train")
          .setInitialMax(totalSteps)
          .startsFrom(step - 1, Duration.ZERO)
          .setStyle(ProgressBarStyle.ASCII)
          .setUnit(" steps", 1)
          .showSpeed()
          .setUpdateIntervalMillis(250)
          .build();
    }
    bar.stepTo(step);
  }

  @Override
  public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
    if (bar != null) {
      bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, accuracy %.3f", loss, accuracy));
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
