package org.tfrnn.workflows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;
import org.tfrnn.data.Batch;
import org.tfrnn.data.DataSplit;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.train.Evaluation;

/**
 * Runs labelled images through any image-classifier SavedModel, finding which input takes the
 * images and which output gives the class from the signature itself: ours ({@code x} ->
 * {@code classes}), a Python notebook's, or a Keras export ({@code keras_tensor} -> {@code
 * output_0} logits).
 */
public final class SavedModelEvaluation {
  private static final int BATCH = 500;
  private static final String SEQUENCE_LENGTH = "sequence_length";

  private SavedModelEvaluation() {}

  /** The input and output a classifier signature is called through. */
  public record Binding(SignatureSpec signature, TensorSpec images, TensorSpec output,
      boolean outputIsClass) {
    public String describe() {
      return "images -> '" + images.key() + "' " + images.describe() + ", class <- '"
          + output.key() + "' " + output.describe() + (outputIsClass ? "" : " (arg-max)");
    }
  }

  public static Binding bind(SignatureSpec signature, int rows, int columns, int classes) {
    List<TensorSpec> imageInputs = new ArrayList<>();
    for (TensorSpec input : signature.inputs().values()) {
      if (!input.key().equals(SEQUENCE_LENGTH)) {
        imageInputs.add(input);
      }
    }
    if (imageInputs.size() != 1 || !takesImages(imageInputs.get(0), rows, columns)) {
      throw new IllegalArgumentException("signature '" + signature.key() + "' has no single float "
          + "input of shape [-1, " + rows + ", " + columns + "] for the images; its inputs are "
          + describeAll(signature.inputs()));
    }
    TensorSpec classOutput = null;
    TensorSpec scoreOutput = null;
    for (TensorSpec output : signature.outputs().values()) {
      long[] dims = output.dims();
      boolean integer = output.dtype() == DataType.DT_INT64 || output.dtype() == DataType.DT_INT32;
      if (integer && dims != null && dims.length == 1 && output.key().equals("classes")) {
        classOutput = output;
      } else if (output.dtype() == DataType.DT_FLOAT && dims != null && dims.length == 2
          && dims[1] == classes && (scoreOutput == null || output.key().equals("logits"))) {
        scoreOutput = output;
      }
    }
    if (classOutput != null) {
      return new Binding(signature, imageInputs.get(0), classOutput, true);
    }
    if (scoreOutput != null) {
      return new Binding(signature, imageInputs.get(0), scoreOutput, false);
    }
    throw new IllegalArgumentException("signature '" + signature.key() + "' has neither an int "
        + "'classes' output nor a float [-1, " + classes + "] output of scores; its outputs are "
        + describeAll(signature.outputs()));
  }

  /** Predicted classes for the first {@code count} examples of {@code split}. */
  public static Evaluation evaluate(Predictor predictor, Binding binding, DataSplit split,
      int count, int rows, int columns, int classes) {
    long[] predicted = new long[count];
    for (int from = 0; from < count; from += BATCH) {
      int to = Math.min(count, from + BATCH);
      Batch batch = split.batch(from, to);
      NdValue images = NdValue.ofFloats(batch.images(), batch.size(), rows, columns);
      NdValue out = predictor.predict(binding.signature().key(),
          Map.of(binding.images().key(), images), List.of(binding.output().key()))
          .get(binding.output().key());
      for (int i = 0; i < batch.size(); i++) {
        predicted[from + i] = binding.outputIsClass() ? (long) out.asDouble(i) : argMax(out, i, classes);
      }
    }
    return Evaluation.of(java.util.Arrays.copyOf(split.labels(), count), predicted, classes);
  }

  private static boolean takesImages(TensorSpec input, int rows, int columns) {
    long[] dims = input.dims();
    return input.dtype() == DataType.DT_FLOAT && dims != null && dims.length == 3
        && (dims[1] == rows || dims[1] == -1) && (dims[2] == columns || dims[2] == -1);
  }

  private static long argMax(NdValue scores, int row, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (scores.asDouble(row * classes + c) > scores.asDouble(row * classes + best)) {
        best = c;
      }
    }
    return best;
  }

  private static String describeAll(Map<String, TensorSpec> specs) {
    List<String> parts = new ArrayList<>();
    specs.values().forEach(s -> parts.add(s.key() + ": " + s.describe()));
    return parts.toString();
  }
}
