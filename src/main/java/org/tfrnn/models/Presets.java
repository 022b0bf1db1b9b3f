package org.tfrnn.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tfrnn.models.ModelSpec.Cell;
import org.tfrnn.models.ModelSpec.Head;
import org.tfrnn.models.ModelSpec.Loss;
import org.tfrnn.models.ModelSpec.Optimizer;
import org.tfrnn.models.ModelSpec.Unroll;
import org.tfrnn.nn.Initializer;
import org.tfrnn.train.LearningRate;

/** The seed notebooks' configurations, hyper-parameters exactly as the notebooks set them. */
public final class Presets {
  private static final int MNIST_ROW = 28;
  private static final int CLASSES = 10;
  private static final long SEED = 42;
  private static final Initializer RANDOM_NORMAL = new Initializer.RandomNormal(0f, 1f);

  private static final Map<String, Preset> ALL = new LinkedHashMap<>();

  static {
    add(new Preset("notebook-000", "000",
        "static_rnn BasicLSTMCell(128), gradient descent 0.001, batch 128, 10000 steps",
        lstm(Unroll.STATIC, RANDOM_NORMAL, RANDOM_NORMAL, Optimizer.GRADIENT_DESCENT,
            new LearningRate.Constant(0.001f), null),
        128, 10000, 200, LogStyle.STEP_LOSS_ACCURACY, 128,
        "log cut at step 3200: Minibatch Loss= 0.8644"));
    add(new Preset("notebook-001", "001",
        "dynamic_rnn BasicLSTMCell(128), Adam 0.001, batch 100, while step*100 < 100000",
        lstm(Unroll.WHILE, RANDOM_NORMAL, RANDOM_NORMAL, Optimizer.ADAM,
            new LearningRate.Constant(0.001f), null),
        100, 999, 10, LogStyle.ITER_LOSS_ACCURACY, 128,
        "log cut at Iter 16000: Minibatch Loss= 0.3635, Training Accuracy= 0.92 (Iter 15000)"));
    add(new Preset("notebook-002", "002",
        "dynamic_rnn BasicRNNCell(100), dense on the final state, sparse softmax, Adam 0.001, "
            + "batch 1000, 100 epochs",
        new ModelSpec(Cell.BASIC_RNN, MNIST_ROW, MNIST_ROW, 100, 1f, Unroll.WHILE,
            Head.DENSE_ON_FINAL_STATE, new Initializer.GlorotUniform(), new Initializer.Zeros(),
            "dense/kernel", "dense/bias", CLASSES, Loss.SPARSE_SOFTMAX, Optimizer.ADAM,
            new LearningRate.Constant(0.001f), null, SEED),
        1000, 100 * 55, 55, LogStyle.EPOCH_TRAIN_TEST_ACCURACY, 10000,
        "log cut at epoch 19: test_accuracy 0.93 (epoch 18: 0.9292)"));
    add(new Preset("notebook-003", "003",
        "static_rnn BasicLSTMCell(128), Adam 0.001, batch 128, while step*128 < 100000",
        lstm(Unroll.STATIC, RANDOM_NORMAL, RANDOM_NORMAL, Optimizer.ADAM,
            new LearningRate.Constant(0.001f), null)
            .withInputSlicing(ModelSpec.InputSlicing.TRANSPOSE_RESHAPE_SPLIT),
        128, 781, 10, LogStyle.ITERATION_LOSS_ACCURACY, 256,
        "log cut at Iteration 24320: loss 0.385988, Accuracy 0.859375"));
    add(new Preset("notebook-004", "004",
        "static_rnn BasicLSTMCell(128), Adam with exponential_decay(0.5, 10000, 0.9), batch 100, "
            + "1000 steps",
        lstm(Unroll.STATIC, new Initializer.TruncatedNormalInit(0f, 0.1f),
            new Initializer.Constant(0.1f), Optimizer.ADAM,
            new LearningRate.ExponentialDecay(0.5f, 10000, 0.9f, false), "Variable_2"),
        100, 1000, 100, LogStyle.STEP_ACCURACY, 10000,
        "FINAL ACCURACY: 0.9693"));
    add(new Preset("best", "ours",
        "static_rnn BasicLSTMCell(128), Adam 0.002 decaying 0.5 per 3000 steps, batch 128, "
            + "6000 steps: the most test accuracy in a few minutes on 2 cores",
        lstm(Unroll.STATIC, new Initializer.GlorotUniform(), new Initializer.Zeros(),
            Optimizer.ADAM, new LearningRate.ExponentialDecay(0.002f, 3000, 0.5f, false),
            "global_step"),
        128, 6000, 200, LogStyle.STEP_LOSS_ACCURACY, 10000,
        "(not a notebook)"));
  }

  private Presets() {}

  private static ModelSpec lstm(Unroll unroll, Initializer weights, Initializer bias,
      Optimizer optimizer, LearningRate learningRate, String globalStep) {
    return new ModelSpec(Cell.BASIC_LSTM, MNIST_ROW, MNIST_ROW, 128, 1.0f, unroll,
        Head.LAST_OUTPUT, weights, bias, "Variable", "Variable_1", CLASSES,
        Loss.SOFTMAX_ONE_HOT, optimizer, learningRate, globalStep, SEED);
  }

  private static void add(Preset preset) {
    ALL.put(preset.name(), preset);
  }

  /** All presets, the notebooks' first. */
  public static Map<String, Preset> all() {
    return java.util.Collections.unmodifiableMap(ALL);
  }

  /** The preset named {@code name}; an unknown name is an error listing the known ones. */
  public static Preset named(String name) {
    Preset preset = ALL.get(name);
    if (preset == null) {
      throw new IllegalArgumentException(
          "unknown preset '" + name + "'; known presets: " + String.join(", ", ALL.keySet()));
    }
    return preset;
  }
}
