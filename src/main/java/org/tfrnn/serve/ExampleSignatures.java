package org.tfrnn.serve;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Classification;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.Classifications;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.RegressionOuterClass.Regression;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * TensorFlow Serving's Classify and Regress on a signature that takes serialized
 * {@code tf.Example}s (its {@code classifier.cc}, {@code regressor.cc} and {@code util.cc}): the
 * request's {@link Input} as a {@code DT_STRING [N]} tensor, the signature's checks, and the
 * outputs turned into results, each refusal {@code INVALID_ARGUMENT} with TensorFlow Serving's
 * text.
 */
final class ExampleSignatures {
  static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
  static final String REGRESS_METHOD = "tensorflow/serving/regress";
  static final String INPUTS = "inputs";
  static final String CLASSES = "classes";
  static final String SCORES = "scores";
  static final String OUTPUTS = "outputs";

  private ExampleSignatures() {
  }

  /**
   * Each example serialized, as one {@code DT_STRING [N]} tensor. With a context, each entry is
   * the serialized context followed by the serialized example: parsed, that is the context merged
   * with the example (protobuf's rule for concatenated messages), as TensorFlow Serving feeds it.
   */
  static NdValue serializedExamples(Input input) {
    List<Example> examples = switch (input.getKindCase()) {
      case EXAMPLE_LIST -> input.getExampleList().getExamplesList();
      case EXAMPLE_LIST_WITH_CONTEXT -> input.getExampleListWithContext().getExamplesList();
      case KIND_NOT_SET -> List.of();
    };
    if (examples.isEmpty()) {
      throw invalid("Input is empty.");
    }
    byte[] context = input.getKindCase() == Input.KindCase.EXAMPLE_LIST_WITH_CONTEXT
        ? input.getExampleListWithContext().getContext().toByteArray() : new byte[0];
    byte[][] serialized = new byte[examples.size()][];
    for (int i = 0; i < serialized.length; i++) {
      byte[] example = examples.get(i).toByteArray();
      serialized[i] = Arrays.copyOf(context, context.length + example.length);
      System.arraycopy(example, 0, serialized[i], context.length, example.length);
    }
    return NdValue.ofStrings(serialized, serialized.length);
  }

  /**
   * The classification signature the request names ({@code serving_default} if none), checked as
   * TensorFlow Serving checks it: its method name, one input {@code inputs}, one or two outputs
   * among {@code classes} and {@code scores}.
   */
  static SignatureSpec classification(Predictor predictor, String name) {
    return checkClassification(named(predictor, name));
  }

  private static SignatureSpec checkClassification(SignatureSpec signature) {
    requireMethod(signature, CLASSIFY_METHOD, "classification");
    requireInput(signature, "classification");
    int outputs = signature.outputs().size();
    if (outputs != 1 && outputs != 2) {
      throw invalid("Expected one or two output Tensors, found " + outputs);
    }
    if (!signature.outputs().containsKey(CLASSES) && !signature.outputs().containsKey(SCORES)) {
      throw invalid("Expected classification signature outputs to contain at least one of \""
          + CLASSES + "\" or \"" + SCORES + "\". Signature was: " + signature.describe());
    }
    return signature;
  }

  /**
   * The regression signature the request names, checked as TensorFlow Serving checks it: its
   * method name, one input {@code inputs}, one output {@code outputs}.
   */
  static SignatureSpec regression(Predictor predictor, String name) {
    return checkRegression(named(predictor, name));
  }

  private static SignatureSpec checkRegression(SignatureSpec signature) {
    requireMethod(signature, REGRESS_METHOD, "regression");
    requireInput(signature, "regression");
    if (signature.outputs().size() != 1) {
      throw invalid("Expected one output Tensor.");
    }
    if (!signature.outputs().containsKey(OUTPUTS)) {
      throw invalid("No regression outputs found in SignatureDef: " + signature.describe());
    }
    return signature;
  }

  /** The outputs a classification fetches: {@code classes} and/or {@code scores}. */
  static List<String> classificationOutputs(SignatureSpec signature) {
    List<String> keys = new ArrayList<>();
    for (String key : List.of(CLASSES, SCORES)) {
      if (signature.outputs().containsKey(key)) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** The classes and scores of each example, checked as TensorFlow Serving checks them. */
  static ClassificationResult classificationResult(int examples, Map<String, NdValue> outputs) {
    NdValue classes = outputs.get(CLASSES);
    NdValue scores = outputs.get(SCORES);
    requireClassOutput(classes, DataType.DT_STRING, "classes", examples);
    requireClassOutput(scores, DataType.DT_FLOAT, "scores", examples);
    if (classes != null && scores != null && classes.dim(1) != scores.dim(1)) {
      throw invalid("Tensors class and score should match in dim_size(1). Got " + classes.dim(1)
          + " vs. " + scores.dim(1));
    }
    int numClasses = (int) (classes != null ? classes.dim(1) : scores.dim(1));
    byte[][] labels = classes == null ? null : classes.strings();
    float[] values = scores == null ? null : scores.floats();
    ClassificationResult.Builder result = ClassificationResult.newBuilder();
    for (int i = 0; i < examples; i++) {
      Classifications.Builder row = result.addClassificationsBuilder();
      for (int c = 0; c < numClasses; c++) {
        Classification.Class.Builder entry = row.addClassesBuilder();
        if (labels != null) {
          entry.setLabelBytes(ByteString.copyFrom(labels[i * numClasses + c]));
        }
        if (values != null) {
          entry.setScore(values[i * numClasses + c]);
        }
      }
    }
    return result.build();
  }

  /** One value per example from {@code [N]} or {@code [N,1]} floats, as TensorFlow Serving. */
  static RegressionResult regressionResult(int examples, NdValue output) {
    long[] shape = output.shape();
    if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
      throw invalid("Expected output Tensor shape to be either [batch_size] or [batch_size, 1] "
          + "but got " + shapeText(shape));
    }
    if (examples != shape[0]) {
      throw invalid("Input batch size did not match output batch size: " + examples + " vs. "
          + shape[0]);
    }
    if (output.dtype() != DataType.DT_FLOAT) {
      throw invalid("Expected output Tensor of DT_FLOAT.  Got: " + output.dtype());
    }
    float[] values = output.floats();
    RegressionResult.Builder result = RegressionResult.newBuilder();
    for (int i = 0; i < examples; i++) {
      result.addRegressions(Regression.newBuilder().setValue(values[i]));
    }
    return result.build();
  }

  private static void requireClassOutput(NdValue value, DataType dtype, String name,
      int examples) {
    if (value == null) {
      return;
    }
    if (value.rank() != 2) {
      throw invalid("Expected Tensor shape: [batch_size num_classes] but got "
          + shapeText(value.shape()));
    }
    if (value.dtype() != dtype) {
      throw invalid("Expected " + name + " Tensor of " + dtype + ". Got: " + value.dtype());
    }
    if (value.dim(0) != examples) {
      throw invalid("Expected " + name + " output batch size of " + examples + ". Got: "
          + value.dim(0));
    }
  }

  /**
   * The signature of one MultiInference task, checked as TensorFlow Serving checks it: the same
   * model as the other tasks, a signature no earlier task evaluates, a classify or regress method.
   *
   * @param earlier the signatures of the tasks before this one
   */
  static SignatureSpec task(Predictor predictor, InferenceTask task, String modelName,
      List<SignatureSpec> earlier) {
    if (task.getModelSpec().getName().isEmpty()) {
      throw invalid("Found ModelSpec with an empty model name.");
    }
    if (!task.getModelSpec().getName().equals(modelName)) {
      throw invalid("All ModelSpecs in a MultiInferenceRequest must access the same model name.");
    }
    String key = keyOf(task.getModelSpec().getSignatureName());
    if (earlier.stream().anyMatch(s -> s.key().equals(key))) {
      throw invalid("Duplicate evaluation of signature: " + key);
    }
    SignatureSpec signature = find(predictor, key)
        .orElseThrow(() -> invalid("Requested signature not found in model graph: " + key));
    return switch (task.getMethodName()) {
      case CLASSIFY_METHOD -> checkClassification(signature);
      case REGRESS_METHOD -> checkRegression(signature);
      default -> throw new StatusRuntimeException(Status.UNIMPLEMENTED.withDescription(
          "Unsupported signature method_name: " + task.getMethodName()));
    };
  }

  /** {@code serving_default} for an empty name, as TensorFlow Serving (not "the only one"). */
  private static String keyOf(String name) {
    return name.isEmpty() ? SignatureSpec.DEFAULT_KEY : name;
  }

  /** The request's signature, or TensorFlow Serving's refusal of Classify and Regress. */
  private static SignatureSpec named(Predictor predictor, String name) {
    String key = keyOf(name);
    return find(predictor, key)
        .orElseThrow(() -> invalid("No signature was found with the name: " + key));
  }

  private static Optional<SignatureSpec> find(Predictor predictor, String key) {
    return predictor.signatures().stream().filter(s -> s.key().equals(key)).findFirst();
  }

  private static void requireMethod(SignatureSpec signature, String method, String kind) {
    if (!signature.methodName().equals(method)) {
      throw invalid("Expected " + kind + " signature method_name to be " + method + ". Was: "
          + signature.methodName());
    }
  }

  private static void requireInput(SignatureSpec signature, String kind) {
    if (signature.inputs().size() != 1) {
      throw invalid("Expected one input Tensor.");
    }
    if (!signature.inputs().containsKey(INPUTS)) {
      throw invalid("No " + kind + " inputs found in SignatureDef: " + signature.describe());
    }
  }

  /** TensorFlow's {@code TensorShape::DebugString}: {@code [2,3]}. */
  private static String shapeText(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }

  private static StatusRuntimeException invalid(String message) {
    return new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription(message));
  }
}
