package org.tfrnn.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/** The handles a training loop needs from a classifier graph. */
public interface TrainingGraph {
  /** Images [batch, rows, columns]. */
  Placeholder<TFloat32> images();

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
