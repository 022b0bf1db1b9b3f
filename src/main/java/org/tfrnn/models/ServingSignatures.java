package org.tfrnn.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Signature;

/**
 * The serving signatures of a model graph, as TensorFlow Serving's clients expect them:
 * {@code serving_default} takes {@code x} float [-1, time, 28] and returns {@code logits},
 * {@code probabilities} and {@code classes}. A while-loop model takes sequences of any length and
 * adds {@code serving_with_sequence_length}, which also takes {@code sequence_length} int32 [-1].
 */
public final class ServingSignatures {
  public static final String WITH_SEQUENCE_LENGTH = "serving_with_sequence_length";
  /** TensorFlow Serving's method name for {@code :predict} signatures. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private ServingSignatures() {}

  public static List<Signature> of(ModelGraph model) {
    List<Signature> signatures = new ArrayList<>();
    signatures.add(builder(Signature.DEFAULT_KEY, model).build());
    if (model.sequenceLength() != null) {
      signatures.add(builder(WITH_SEQUENCE_LENGTH, model)
          .input(ModelBuilder.SEQUENCE_LENGTH, model.sequenceLength())
          .build());
    }
    return signatures;
  }

  private static Signature.Builder builder(String key, ModelGraph model) {
    return Signature.builder()
        .key(key)
        .methodName(PREDICT_METHOD)
        .input(ModelBuilder.INPUT, model.images())
        .output(ModelBuilder.LOGITS, model.logits())
        .output(ModelBuilder.PROBABILITIES, model.probabilities())
        .output(ModelBuilder.CLASSES, model.classes());
  }
}
