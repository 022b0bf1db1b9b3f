package org.tfrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.tfrnn.nn.BasicLstmCell;
import org.tfrnn.nn.BasicRnnCell;
import org.tfrnn.nn.Initializer;
import org.tfrnn.nn.MultiRnnCell;
import org.tfrnn.nn.RnnCell;
import org.tfrnn.train.LearningRate;

/**
 * Everything the graph builder needs to build one notebook's model: architecture, initializers,
 * loss and optimizer. Immutable: made with {@link #builder()}, varied with {@link #toBuilder()} or
 * the {@code with...} shortcuts the CLI uses.
 *
 * @param inputSize features per time step (the columns of an image)
 * @param timeSteps the sequence length the static unroll is built for (the while loop accepts any)
 * @param outputWeightsName TF1 name of the output layer's weights as the notebook creates them
 *     ({@code Variable} for {@code tf.Variable(...)}, {@code dense/kernel} for {@code tf.layers.dense})
 * @param globalStepName name of the global-step variable, or null if the model has none. As in
 *     TF1, {@code global_step} is {@code tf.train.get_or_create_global_step()} (int64); any other
 *     name is a notebook's {@code tf.Variable(0, trainable=False)} (int32, e.g. {@code Variable_2})
 * @param inputSlicing how a static unroll cuts the input into time steps
 * @param layers how many cells are stacked ({@code MultiRNNCell}); 1 is a plain cell
 * @param clipNorm gradients are clipped to this global norm ({@code clip_by_global_norm}); 0 is
 *     no clipping
 */
public record ModelSpec(
    Cell cell,
    int inputSize,
    int timeSteps,
    int units,
    float forgetBias,
    Unroll unroll,
    Head head,
    Initializer outputWeightsInit,
    Initializer outputBiasInit,
    String outputWeightsName,
    String outputBiasName,
    int classes,
    Loss loss,
    Optimizer optimizer,
    LearningRate learningRate,
    String globalStepName,
    long seed,
    InputSlicing inputSlicing,
    int layers,
    float clipNorm) {

  public enum Cell { BASIC_LSTM, BASIC_RNN }

  /**
   * How time is unrolled: a Java loop ({@code static_rnn}), a TF while loop ({@code dynamic_rnn}),
   * or {@code FAST}: a Java loop built for speed with its own backward pass ({@link
   * org.tfrnn.nn.FastLstm}; LSTM only), same variables and results as {@code STATIC}.
   */
  public enum Unroll { STATIC, WHILE, FAST }

  /**
   * What the logits are computed from: {@code matmul(outputs[-1], W) + b} (notebooks 000, 001, 003,
   * 004) or {@code tf.layers.dense(final_state, classes)} (notebook 002).
   */
  public enum Head { LAST_OUTPUT, DENSE_ON_FINAL_STATE }

  /** Softmax cross-entropy on one-hot float labels, or the sparse variant on int labels. */
  public enum Loss { SOFTMAX_ONE_HOT, SPARSE_SOFTMAX }

  public enum Optimizer { ADAM, GRADIENT_DESCENT }

  /**
   * How {@code static_rnn}'s list of time steps is cut from x [batch, time, input]: {@code
   * tf.unstack(x, time, 1)} (notebooks 000, 004) or, as notebook 003 writes it, {@code
   * tf.split(tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, input]), time, 0)}. Same values; the
   * while loop ignores it.
   */
  public enum InputSlicing { UNSTACK, TRANSPOSE_RESHAPE_SPLIT }

  public ModelSpec {
    if (units <= 0 || inputSize <= 0 || timeSteps <= 0 || classes <= 1) {
      throw new IllegalArgumentException("units, input size, time steps must be positive and "
          + "classes at least 2: " + units + ", " + inputSize + ", " + timeSteps + ", " + classes);
    }
    if (learningRate.needsGlobalStep() && globalStepName == null) {
      throw new IllegalArgumentException(learningRate + " needs a global step variable name");
    }
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be at least 1, got " + layers);
    }
    if (layers > 1 && unroll == Unroll.WHILE) {
      throw new IllegalArgumentException("stacked layers (MultiRNNCell, " + layers + " layers) "
          + "train only with a static unroll: the while loop's backward pass takes one cell; "
          + "use --unroll static or fast");
    }
    if (unroll == Unroll.FAST && cell != Cell.BASIC_LSTM) {
      throw new IllegalArgumentException("the fast unroll is built for BasicLSTMCell, not "
          + cell + "; use --unroll static or while");
    }
    if (!(clipNorm >= 0) || Float.isInfinite(clipNorm)) {
      throw new IllegalArgumentException(
          "clip norm must be 0 (no clipping) or positive and finite, got " + clipNorm);
    }
    if (inputSlicing == null) {
      throw new IllegalArgumentException("input slicing must be given");
    }
  }

  /** True if the global step is TF's int64 {@code global_step}, false for a notebook's int32 one. */
  public boolean globalStepIsInt64() {
    return "global_step".equals(globalStepName);
  }

  /** The first (or only) cell: it reads the inputs. */
  public RnnCell rnnCell() {
    return rnnCell(inputSize);
  }

  /** The cells of a stack of {@code layers}: the first reads the inputs, the others its outputs. */
  public MultiRnnCell multiRnnCell() {
    List<RnnCell> cells = new ArrayList<>(layers);
    for (int k = 0; k < layers; k++) {
      cells.add(rnnCell(k == 0 ? inputSize : units));
    }
    return new MultiRnnCell(cells);
  }

  private RnnCell rnnCell(int cellInputSize) {
    return cell == Cell.BASIC_LSTM
        ? new BasicLstmCell(cellInputSize, units, forgetBias)
        : new BasicRnnCell(cellInputSize, units);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .cell(cell).inputSize(inputSize).timeSteps(timeSteps).units(units).forgetBias(forgetBias)
        .unroll(unroll).head(head)
        .outputWeights(outputWeightsName, outputWeightsInit)
        .outputBias(outputBiasName, outputBiasInit)
        .classes(classes).loss(loss).optimizer(optimizer).learningRate(learningRate)
        .globalStepName(globalStepName).seed(seed).inputSlicing(inputSlicing)
        .layers(layers).clipNorm(clipNorm);
  }

  /** This model sized for sequences of {@code timeSteps x inputSize} in {@code classes} classes. */
  public ModelSpec withDataShape(int newTimeSteps, int newInputSize, int newClasses) {
    return toBuilder().timeSteps(newTimeSteps).inputSize(newInputSize).classes(newClasses).build();
  }

  public ModelSpec withUnroll(Unroll newUnroll) {
    return toBuilder().unroll(newUnroll).build();
  }

  /** The same schedule starting at {@code initial} (a decay keeps its shape). */
  public ModelSpec withLearningRate(float initial) {
    return toBuilder().learningRate(learningRate.withInitial(initial)).build();
  }

  public ModelSpec withSeed(long newSeed) {
    return toBuilder().seed(newSeed).build();
  }

  /**
   * Named settings for a {@link ModelSpec}. Everything must be set except {@code forgetBias}
   * (TensorFlow's default 1.0), {@code globalStepName} (no global step), {@code inputSlicing}
   * ({@code unstack}), {@code layers} (1) and {@code clipNorm} (0, no clipping).
   */
  public static final class Builder {
    private Cell cell;
    private int inputSize;
    private int timeSteps;
    private int units;
    private float forgetBias = 1.0f;
    private Unroll unroll;
    private Head head;
    private Initializer outputWeightsInit;
    private Initializer outputBiasInit;
    private String outputWeightsName;
    private String outputBiasName;
    private int classes;
    private Loss loss;
    private Optimizer optimizer;
    private LearningRate learningRate;
    private String globalStepName;
    private Long seed;
    private InputSlicing inputSlicing = InputSlicing.UNSTACK;
    private int layers = 1;
    private float clipNorm;

    private Builder() {}

    public Builder cell(Cell value) {
      cell = value;
      return this;
    }

    /** Features per time step. */
    public Builder inputSize(int value) {
      inputSize = value;
      return this;
    }

    public Builder timeSteps(int value) {
      timeSteps = value;
      return this;
    }

    public Builder units(int value) {
      units = value;
      return this;
    }

    /** Added to the LSTM's forget gate (BasicLSTMCell's {@code forget_bias}). */
    public Builder forgetBias(float value) {
      forgetBias = value;
      return this;
    }

    public Builder unroll(Unroll value) {
      unroll = value;
      return this;
    }

    public Builder head(Head value) {
      head = value;
      return this;
    }

    /** The output layer's weights: TF1 name as the notebook creates them, and initializer. */
    public Builder outputWeights(String name, Initializer init) {
      outputWeightsName = name;
      outputWeightsInit = init;
      return this;
    }

    /** The output layer's bias: TF1 name and initializer. */
    public Builder outputBias(String name, Initializer init) {
      outputBiasName = name;
      outputBiasInit = init;
      return this;
    }

    public Builder classes(int value) {
      classes = value;
      return this;
    }

    public Builder loss(Loss value) {
      loss = value;
      return this;
    }

    public Builder optimizer(Optimizer value) {
      optimizer = value;
      return this;
    }

    public Builder learningRate(LearningRate value) {
      learningRate = value;
      return this;
    }

    /** Name of the global-step variable, or null for none. */
    public Builder globalStepName(String value) {
      globalStepName = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** How a static unroll cuts the input into time steps. */
    public Builder inputSlicing(InputSlicing value) {
      inputSlicing = value;
      return this;
    }

    /** Cells stacked as TF1's {@code MultiRNNCell} (static or fast unroll); 1 is a plain cell. */
    public Builder layers(int value) {
      layers = value;
      return this;
    }

    /** Clip the gradients to this global norm ({@code clip_by_global_norm}); 0 for none. */
    public Builder clipNorm(float value) {
      clipNorm = value;
      return this;
    }

    public ModelSpec build() {
      require(cell, "cell");
      require(unroll, "unroll");
      require(head, "head");
      require(outputWeightsInit, "outputWeights");
      require(outputBiasInit, "outputBias");
      require(outputWeightsName, "outputWeights");
      require(outputBiasName, "outputBias");
      require(loss, "loss");
      require(optimizer, "optimizer");
      require(learningRate, "learningRate");
      require(seed, "seed");
      return new ModelSpec(cell, inputSize, timeSteps, units, forgetBias, unroll, head,
          outputWeightsInit, outputBiasInit, outputWeightsName, outputBiasName, classes, loss,
          optimizer, learningRate, globalStepName, seed, inputSlicing, layers, clipNorm);
    }

    private static void require(Object value, String setting) {
      if (value == null) {
        throw new IllegalStateException("ModelSpec: " + setting + " is not set");
      }
    }
  }
}
