package org.tfrnn.train;

import java.util.function.IntPredicate;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tfrnn.data.Batch;
import org.tfrnn.data.DataSplit;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.tensors.Tensors;

/** The notebooks' training loop: next_batch, one optimizer step, and the notebook's reports. */
public final class Trainer {
  private static final int EVALUATION_BATCH = 1000;

  private final Session session;
  private final TrainingGraph model;
  private final int rows;
  private final int columns;
  private final int classes;

  /**
   * @param rows time steps per image (28 for MNIST rows)
   */
  public Trainer(Session session, TrainingGraph model, int rows, int columns, int classes) {
    this.session = session;
    this.model = model;
    this.rows = rows;
    this.columns = columns;
    this.classes = classes;
  }

  /**
   * @param reportAfterStep which one-based steps get a minibatch loss/accuracy report
   * @param stepsPerEpoch if positive, train and test accuracy are reported after every that many
   *     steps (notebook 002's per-epoch log)
   * @param firstStep the one-based step to start at: 1, or one past a restored checkpoint's
   */
  public record Plan(int batchSize, int steps, IntPredicate reportAfterStep, int stepsPerEpoch,
      int firstStep) {
    public Plan {
      if (batchSize <= 0 || steps <= 0) {
        throw new IllegalArgumentException(
            "batch size and steps must be positive, got " + batchSize + " and " + steps);
      }
      if (firstStep < 1) {
        throw new IllegalArgumentException("the first step is 1 or later, got " + firstStep);
      }
    }

    public Plan(int batchSize, int steps, IntPredicate reportAfterStep, int stepsPerEpoch) {
      this(batchSize, steps, reportAfterStep, stepsPerEpoch, 1);
    }

    public Plan startingAt(int step) {
      return new Plan(batchSize, steps, reportAfterStep, stepsPerEpoch, step);
    }
  }

  /** Runs after every training step: checkpoints, validation, a stop request. */
  public interface StepHook {
    /** After one-based step {@code step}; returns true to stop training after it. */
    boolean afterStep(int step) throws java.io.IOException;

    StepHook NONE = step -> false;
  }

  /**
   * How the run went; {@code seconds} covers training steps only, not reports.
   *
   * @param steps steps run by this call; {@code lastStep} the last one's one-based number
   * @param stopped true if a hook stopped training before the plan's last step
   */
  public record Summary(int steps, double seconds, double lastLoss, int lastStep,
      boolean stopped) {
    public double millisPerStep() {
      return steps == 0 ? 0 : seconds * 1000 / steps;
    }
  }

  public Summary train(MnistDataset data, Plan plan, TrainingListener listener) {
    try {
      return train(data, plan, listener, StepHook.NONE);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public Summary train(MnistDataset data, Plan plan, TrainingListener listener, StepHook hook)
      throws java.io.IOException {
    if (plan.batchSize() > data.train().size()) {
      throw new IllegalArgumentException("batch size " + plan.batchSize()
          + " is larger than the training split (" + data.train().size() + " examples)");
    }
    long trainingNanos = 0;
    double lastLoss = Double.NaN;
    int lastStep = plan.firstStep() - 1;
    boolean stopped = false;
    for (int step = plan.firstStep(); step <= plan.steps() && !stopped; step++) {
      Batch batch = data.train().nextBatch(plan.batchSize());
      try (Tensor x = images(batch); Tensor y = labels(batch)) {
        long start = System.nanoTime();
        try (Result ignored = session.runner().feed(model.images(), x).feed(model.labels(), y)
            .addTarget(model.trainOp()).run()) {
          long nanos = System.nanoTime() - start;
          trainingNanos += nanos;
          listener.onStep(step, nanos / 1e9);
        }
        if (plan.reportAfterStep().test(step)) {
          try (Result r = session.runner().feed(model.images(), x).feed(model.labels(), y)
              .fetch(model.loss()).fetch(model.accuracy()).run()) {
            lastLoss = Tensors.scalar(r.get(0));
            listener.onMinibatch(step, batch.size(), (float) lastLoss, Tensors.scalar(r.get(1)));
          }
        }
      }
      if (plan.stepsPerEpoch() > 0 && step % plan.stepsPerEpoch() == 0) {
        listener.onEpoch(step / plan.stepsPerEpoch() - 1,
            evaluate(data.train(), data.train().size()).accuracy(),
            evaluate(data.test(), data.test().size()).accuracy());
      }
      lastStep = step;
      stopped = hook.afterStep(step) && step < plan.steps();
    }
    return new Summary(lastStep - plan.firstStep() + 1, trainingNanos / 1e9, lastLoss, lastStep,
        stopped);
  }

  /** Mean loss and accuracy over a whole split. */
  public record Metrics(double loss, double accuracy) {}

  /** The loss and accuracy on every example of {@code split}, in batches. */
  public Metrics measure(DataSplit split) {
    double lossSum = 0;
    double accuracySum = 0;
    for (int from = 0; from < split.size(); from += EVALUATION_BATCH) {
      Batch batch = split.batch(from, Math.min(split.size(), from + EVALUATION_BATCH));
      try (Tensor x = images(batch); Tensor y = labels(batch);
          Result r = session.runner().feed(model.images(), x).feed(model.labels(), y)
              .fetch(model.loss()).fetch(model.accuracy()).run()) {
        lossSum += (double) Tensors.scalar(r.get(0)) * batch.size();
        accuracySum += (double) Tensors.scalar(r.get(1)) * batch.size();
      }
    }
    return new Metrics(lossSum / split.size(), accuracySum / split.size());
  }

  /** Predictions for the first {@code count} examples of {@code split}, in batches. */
  public Evaluation evaluate(DataSplit split, int count) {
    if (count <= 0 || count > split.size()) {
      throw new IllegalArgumentException(
          "cannot evaluate " + count + " of " + split.size() + " examples");
    }
    long[] predicted = new long[count];
    for (int from = 0; from < count; from += EVALUATION_BATCH) {
      int to = Math.min(count, from + EVALUATION_BATCH);
      long[] part = predict(split.batch(from, to));
      System.arraycopy(part, 0, predicted, from, part.length);
    }
    int[] labels = java.util.Arrays.copyOf(split.labels(), count);
    return Evaluation.of(labels, predicted, classes);
  }

  /** The model's class for each image of {@code batch}. */
  public long[] predict(Batch batch) {
    try (Tensor x = images(batch);
        Result r = session.runner().feed(model.images(), x).fetch(model.classes()).run()) {
      return Tensors.toLongArray(r.get(0));
    }
  }

  /** The logits for each image of {@code batch}, [size][classes]. */
  public float[] logits(Batch batch, org.tensorflow.Operand<?> logits) {
    try (Tensor x = images(batch);
        Result r = session.runner().feed(model.images(), x).fetch(logits).run()) {
      return Tensors.toFloatArray(r.get(0));
    }
  }

  private Tensor images(Batch batch) {
    return Tensors.floats(batch.images(), batch.size(), rows, columns);
  }

  private Tensor labels(Batch batch) {
    return model.sparseLabels()
        ? Tensors.ints(batch.labels(), batch.size())
        : Tensors.floats(batch.oneHotLabels(classes), batch.size(), classes);
  }
}
