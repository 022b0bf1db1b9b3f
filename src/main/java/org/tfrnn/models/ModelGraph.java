package org.tfrnn.models;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;
import org.tfrnn.train.TrainingGraph;

/**
 * Typed handles into a built model graph. Every op is also named as the notebook names it: {@code
 * x}, {@code y}, {@code rnn/basic_lstm_cell/kernel}, {@code Variable}, ... plus {@code logits},
 * {@code probabilities}, {@code classes}, {@code loss}, {@code accuracy}.
 *
 * @param labels one-hot float [batch, classes] or sparse int32 [batch], per {@code spec.loss()}
 * @param sequenceLength [batch] int32 for while-loop models (defaults to the full length when not
 *     fed); null for static ones
 */
public record ModelGraph(
    Graph graph,
    ModelSpec spec,
    Placeholder<TFloat32> images,
    Placeholder<? extends TType> labels,
    Operand<TInt32> sequenceLength,
    Operand<TFloat32> logits,
    Operand<TFloat32> probabilities,
    Operand<TInt64> classes,
    Operand<TFloat32> loss,
    Operand<TFloat32> accuracy,
    Op trainOp,
    Operand<TFloat32> learningRate,
    List<Variable<TFloat32>> trainableVariables) implements TrainingGraph {

  @Override
  public int timeSteps() {
    return spec.unroll() == ModelSpec.Unroll.WHILE ? ANY_LENGTH : spec.timeSteps();
  }

  @Override
  public int features() {
    return spec.inputSize();
  }

  @Override
  public int numClasses() {
    return spec.classes();
  }

  @Override
  public boolean sparseLabels() {
    return spec.loss() == ModelSpec.Loss.SPARSE_SOFTMAX;
  }
}
