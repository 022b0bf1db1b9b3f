package org.tfrnn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tfrnn.data.Batch;
import org.tfrnn.data.DataSplit;
import org.tfrnn.data.SequenceDataset;
import org.tfrnn.tensors.Tensors;

/**
 * The notebooks' training loop: next_batch, one optimizer step, and the notebook's reports. It
 * trains any {@link TrainingGraph} on any {@link SequenceDataset} whose sequences and classes fit
 * the graph; the sizes come from the graph, never from a particular data set.
 */
public final class Trainer {
  private static final int EVALUATION_BATCH = 1000;

  private final Session session;
  private final TrainingGraph model;

  public Trainer(Session session, TrainingGraph model) {
    this.session = session;
    this.model = model;
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
    boolean afterStep(int step) throws IOException;

    StepHook NONE = step -> false;
  }

  /**
   * How the run went; {@code seconds} covers training steps only, not reports.
   *
   * @param steps steps run by this call; {@code lastStep} the last one's one-based number
   * @param stopped true if a hook stopped training before the plan's last step
   */
  public record Summary(int steps, double seconds, int lastStep, boolean stopped) {
    public double millisPerStep() {
      return steps == 0 ? 0 : seconds * 1000 / steps;
    }
  }

  /** Mean loss and accuracy over a whole split. */
  public record Metrics(double loss, double accuracy) {}

  /** Trains on {@code data.train()}; notebook 002's per-epoch report also evaluates the test split. */
  public Summary train(SequenceDataset data, Plan plan, TrainingListener listener) {
    try {
      return train(data, plan, listener, StepHook.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Trains from {@code plan.firstStep()} to {@code plan.steps()}, calling {@code hook} after every
   * step; stops early when the hook says so.
   */
  public Summary train(SequenceDataset data, Plan plan, TrainingListener listener, StepHook hook)
      throws IOException {
    requireFits(data);
    if (plan.batchSize() > data.train().size()) {
      throw new IllegalArgumentException("batch size " + plan.batchSize()
          + " is larger than the training split (" + data.train().size() + " examples)");
    }
    long trainingNanos = 0;
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
            listener.onMinibatch(step, batch.size(), Tensors.scalar(r.get(0)),
                Tensors.scalar(r.get(1)));
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
    return new Summary(lastStep - plan.firstStep() + 1, trainingNanos / 1e9, lastStep, stopped);
  }

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
    int[] labels = Arrays.copyOf(split.labels(), count);
    return Evaluation.of(labels, predicted, model.numClasses());
  }

  /** The model's class for each image of {@code batch}. */
  public long[] predict(Batch batch) {
    try (Tensor x = images(batch);
        Result r = session.runner().feed(model.images(), x).fetch(model.classes()).run()) {
      return Tensors.toLongArray(r.get(0));
    }
  }

  /** The logits for each image of {@code batch}, [size][classes]. */
  public float[] logits(Batch batch, Operand<?> logits) {
    try (Tensor x = images(batch);
        Result r = session.runner().feed(model.images(), x).fetch(logits).run()) {
      return Tensors.toFloatArray(r.get(0));
    }
  }

  /** The data set's sequences and labels must have the shapes the graph's placeholders take. */
  private void requireFits(SequenceDataset data) {
    boolean timeFits = model.timeSteps() == TrainingGraph.ANY_LENGTH
        || model.timeSteps() == data.timeSteps();
    if (!timeFits || model.features() != data.features() || model.numClasses() != data.classes()) {
      throw new IllegalArgumentException("the model takes sequences of " + describeTime()
          + " x " + model.features() + " features in " + model.numClasses()
          + " classes, but the data set has " + data.timeSteps() + " x " + data.features()
          + " in " + data.classes() + " classes (" + data.description() + ")");
    }
  }

  /** A batch as the graph's input {@code [size, time, features]}, checked before any native call. */
  private Tensor images(Batch batch) {
    int values = batch.imageSize();
    int time = values / model.features();
    if (values % model.features() != 0
        || (model.timeSteps() != TrainingGraph.ANY_LENGTH && time != model.timeSteps())) {
      throw new IllegalArgumentException("an example of " + values + " values is not a sequence of "
          + describeTime() + " x " + model.features() + " features, as the model takes");
    }
    return Tensors.floats(batch.images(), batch.size(), time, model.features());
  }

  private String describeTime() {
    return model.timeSteps() == TrainingGraph.ANY_LENGTH ? "any number of steps"
        : model.timeSteps() + " steps";
  }

  private Tensor labels(Batch batch) {
    return model.sparseLabels()
        ? Tensors.ints(batch.labels(), batch.size())
        : Tensors.floats(batch.oneHotLabels(model.numClasses()), batch.size(), model.numClasses());
  }
}
