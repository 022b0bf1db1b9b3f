package org.tfrnn.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/** The handles and sizes a training loop needs from a sequence classifier graph. */
public interface TrainingGraph {
  /** {@link #timeSteps()} of a graph that takes sequences of any length (a while loop). */
  int ANY_LENGTH = -1;

  /** Sequences [batch, timeSteps, features]. */
  Placeholder<TFloat32> images();

  /** Time steps per sequence the graph takes, or {@link #ANY_LENGTH}. */
  int timeSteps();

  /** Values per time step. */
  int features();

  /** Number of classes the graph predicts. */
  int numClasses();

  /** One-hot float [batch, classes] or, if {@link #sparseLabels()}, int32 [batch]. */
  Placeholder<? extends TType> labels();

  boolean sparseLabels();

  Operand<TFloat32> loss();

  Operand<TFloat32> accuracy();

  /** Predicted class per row, int64 [batch]. */
  Operand<TInt64> classes();

  Op trainOp();

  Operand<TFloat32> learningRate();
}
