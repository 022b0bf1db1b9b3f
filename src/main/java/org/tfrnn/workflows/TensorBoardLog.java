package org.tfrnn.workflows;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tfrnn.tensorboard.EventFileWriter;
import org.tfrnn.tensors.Tensors;
import org.tfrnn.train.TrainingGraph;
import org.tfrnn.train.TrainingListener;

/**
 * A training run as TensorBoard shows it: the minibatch loss and accuracy, learning rate and
 * steps per second at every reported step, validation accuracy and loss and a histogram of every
 * trainable variable at every evaluation, the per-epoch accuracies of notebook 002, and the graph
 * (written by a fresh run, not again by a resumed one).
 */
final class TensorBoardLog implements TrainingListener, Closeable {
  static final String LOSS = "train/minibatch_loss";
  static final String ACCURACY = "train/minibatch_accuracy";
  static final String VALIDATION_LOSS = "validation/loss";
  static final String VALIDATION_ACCURACY = "validation/accuracy";
  static final String LEARNING_RATE = "learning_rate";
  static final String STEPS_PER_SECOND = "steps_per_second";
  static final String EPOCH_TRAIN_ACCURACY = "epoch/train_accuracy";
  static final String EPOCH_TEST_ACCURACY = "epoch/test_accuracy";

  private final EventFileWriter writer;
  private final Session session;
  private final TrainingGraph model;
  private final List<Variable<TFloat32>> trainable;
  private final int stepsPerEpoch;
  private int stepsSinceReport;
  private double secondsSinceReport;

  /**
   * @param firstStep the run's first step; past 1 (a resumed run) TensorBoard is told to drop
   *     what an interrupted run wrote from there on
   * @param stepsPerEpoch for notebook 002's per-epoch accuracies, which it reports by epoch
   */
  TensorBoardLog(Path logdir, Graph graph, Session session, TrainingGraph model,
      List<Variable<TFloat32>> trainable, int firstStep, int stepsPerEpoch) throws IOException {
    this.writer = new EventFileWriter(logdir);
    this.session = session;
    this.model = model;
    this.trainable = trainable;
    this.stepsPerEpoch = stepsPerEpoch;
    if (firstStep > 1) {
      writer.sessionStart(firstStep);
    } else {
      writer.graph(graph.toGraphDef()); // once: TensorBoard warns about a second graph in a run
    }
    writer.flush();
  }

  @Override
  public void onStep(int step, double seconds) {
    stepsSinceReport++;
    secondsSinceReport += seconds;
  }

  @Override
  public void onMinibatch(int step, int batchSize, float loss, float accuracy) {
    try (Result r = session.runner().fetch(model.learningRate()).run()) {
      writer.scalar(LOSS, step, loss);
      writer.scalar(ACCURACY, step, accuracy);
      writer.scalar(LEARNING_RATE, step, Tensors.scalar(r.get(0)));
      if (secondsSinceReport > 0) {
        writer.scalar(STEPS_PER_SECOND, step, stepsSinceReport / secondsSinceReport);
      }
      stepsSinceReport = 0;
      secondsSinceReport = 0;
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onEpoch(int epoch, double trainAccuracy, double testAccuracy) {
    long step = (long) (epoch + 1) * stepsPerEpoch;
    try {
      writer.scalar(EPOCH_TRAIN_ACCURACY, step, trainAccuracy);
      writer.scalar(EPOCH_TEST_ACCURACY, step, testAccuracy);
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Validation results and the variables' histograms at {@code step}. */
  void validation(int step, double accuracy, double loss) throws IOException {
    writer.scalar(VALIDATION_ACCURACY, step, accuracy);
    writer.scalar(VALIDATION_LOSS, step, loss);
    Session.Runner runner = session.runner();
    trainable.forEach(runner::fetch);
    try (Result values = runner.run()) {
      for (int i = 0; i < trainable.size(); i++) {
        writer.histogram(trainable.get(i).op().name(), step, Tensors.toFloatArray(values.get(i)));
      }
    }
    writer.flush();
  }

  Path file() {
    return writer.file();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
