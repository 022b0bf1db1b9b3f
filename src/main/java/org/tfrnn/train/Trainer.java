package org.tfrnn.train;

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
   */
  public record Plan(int batchSize, int steps, IntPredicate reportAfterStep, int stepsPerEpoch) {
    public Plan {
      if (batchSize <= 0 || steps <= 0) {
        throw new IllegalArgumentException(
            "batch size and steps must be positive, got " + batchSize + " and " + steps);
      }
    }
  }

  /** How the run went; {@code seconds} covers training steps only, not reports. */
  public record Summary(int steps, double seconds) {
    public double millisPerStep() {
      return steps == 0 ? 0 : seconds * 1000 / steps;
    }
  }

  /** Trains on {@code data.train()}; notebook 002's per-epoch report also evaluates the test split. */
  public Summary train(SequenceDataset data, Plan plan, TrainingListener listener) {
    requireFits(data);
    if (plan.batchSize() > data.train().size()) {
      throw new IllegalArgumentException("batch size " + plan.batchSize()
          + " is larger than the training split (" + data.train().size() + " examples)");
    }
    long trainingNanos = 0;
    for (int step = 1; step <= plan.steps(); step++) {
      Batch batch = data.train().nextBatch(plan.batchSize());
      try (Tensor x = images(batch); Tensor y = labels(batch)) {
        long start = System.nanoTime();
        try (Result ignored = session.runner().feed(model.images(), x).feed(model.labels(), y)
            .addTarget(model.trainOp()).run()) {
          trainingNanos += System.nanoTime() - start;
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
    }
    return new Summary(plan.steps(), trainingNanos / 1e9);
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
