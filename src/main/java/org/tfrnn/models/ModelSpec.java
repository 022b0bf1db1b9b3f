package org.tfrnn.models;

import org.tfrnn.nn.BasicLstmCell;
import org.tfrnn.nn.BasicRnnCell;
import org.tfrnn.nn.Initializer;
import org.tfrnn.nn.RnnCell;
import org.tfrnn.train.LearningRate;

/**
 * Everything the graph builder needs to build one notebook's model: architecture, initializers,
 * loss and optimizer. Immutable; presets and the CLI make variants with the {@code with...}
 * methods.
 *
 * @param timeSteps the sequence length the static unroll is built for (the while loop accepts any)
 * @param outputWeightsName TF1 name of the output layer's weights as the notebook creates them
 *     ({@code Variable} for {@code tf.Variable(...)}, {@code dense/kernel} for {@code tf.layers.dense})
 * @param globalStepName name of the global-step variable, or null if the model has none
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
    long seed) {

  public enum Cell { BASIC_LSTM, BASIC_RNN }

  /** How time is unrolled: a Java loop ({@code static_rnn}) or a TF while loop ({@code dynamic_rnn}). */
  public enum Unroll { STATIC, WHILE }

  /**
   * What the logits are computed from: {@code matmul(outputs[-1], W) + b} (notebooks 000, 001, 003,
   * 004) or {@code tf.layers.dense(final_state, classes)} (notebook 002).
   */
  public enum Head { LAST_OUTPUT, DENSE_ON_FINAL_STATE }

  /** Softmax cross-entropy on one-hot float labels, or the sparse variant on int labels. */
  public enum Loss { SOFTMAX_ONE_HOT, SPARSE_SOFTMAX }

  public enum Optimizer { ADAM, GRADIENT_DESCENT }

  public ModelSpec {
    if (units <= 0 || inputSize <= 0 || timeSteps <= 0 || classes <= 1) {
      throw new IllegalArgumentException("units, input size, time steps must be positive and "
          + "classes at least 2: " + units + ", " + inputSize + ", " + timeSteps + ", " + classes);
    }
    if (learningRate.needsGlobalStep() && globalStepName == null) {
      throw new IllegalArgumentException(learningRate + " needs a global step variable name");
    }
  }

  public RnnCell rnnCell() {
    return cell == Cell.BASIC_LSTM
        ? new BasicLstmCell(inputSize, units, forgetBias)
        : new BasicRnnCell(inputSize, units);
  }

  /** This model sized for data of {@code timeSteps x inputSize} sequences in {@code classes} classes. */
  public ModelSpec withDataShape(int newTimeSteps, int newInputSize, int newClasses) {
    return new ModelSpec(cell, newInputSize, newTimeSteps, units, forgetBias, unroll, head,
        outputWeightsInit, outputBiasInit, outputWeightsName, outputBiasName, newClasses, loss,
        optimizer, learningRate, globalStepName, seed);
  }

  public ModelSpec withUnroll(Unroll newUnroll) {
    return new ModelSpec(cell, inputSize, timeSteps, units, forgetBias, newUnroll, head,
        outputWeightsInit, outputBiasInit, outputWeightsName, outputBiasName, classes, loss,
        optimizer, learningRate, globalStepName, seed);
  }

  public ModelSpec withLearningRate(float initial) {
    return new ModelSpec(cell, inputSize, timeSteps, units, forgetBias, unroll, head,
        outputWeightsInit, outputBiasInit, outputWeightsName, outputBiasName, classes, loss,
        optimizer, learningRate.withInitial(initial), globalStepName, seed);
  }

  public ModelSpec withSeed(long newSeed) {
    return new ModelSpec(cell, inputSize, timeSteps, units, forgetBias, unroll, head,
        outputWeightsInit, outputBiasInit, outputWeightsName, outputBiasName, classes, loss,
        optimizer, learningRate, globalStepName, newSeed);
  }
}
