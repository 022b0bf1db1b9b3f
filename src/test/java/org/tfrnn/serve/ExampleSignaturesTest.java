package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;

/**
 * The request's examples as the string tensor TensorFlow Serving feeds (a context merged into
 * each example, checked by parsing the bytes with protobuf), and the output checks of its
 * classifier and regressor.
 */
class ExampleSignaturesTest {
  @Test
  void contextIsMergedIntoEachExample() throws Exception {
    Input input = Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
        .setContext(example("c", 0.75f, "x", 9f))
        .addExamples(example("x", 1f))
        .addExamples(example("y", 2f))).build();
    NdValue tensor = ExampleSignatures.serializedExamples(input);
    assertEquals(DataType.DT_STRING, tensor.dtype());
    assertArrayEquals(new long[] {2}, tensor.shape());
    Map<String, Feature> first = Example.parseFrom(tensor.strings()[0]).getFeatures()
        .getFeatureMap();
    // Features is a map: the example's feature replaces the context's of the same key (protobuf's
    // merge of map entries); the context's other keys are kept.
    assertEquals(Map.of("c", floats(0.75f), "x", floats(1f)), first);
    assertEquals(Map.of("c", floats(0.75f), "x", floats(9f), "y", floats(2f)),
        Example.parseFrom(tensor.strings()[1]).getFeatures().getFeatureMap());
  }

  @Test
  void emptyInputIsRefused() {
    assertEquals("Input is empty.", refusal(() ->
        ExampleSignatures.serializedExamples(Input.getDefaultInstance())));
  }

  @Test
  void classificationResultPairsLabelsAndScores() {
    ClassificationResult result = ExampleSignatures.classificationResult(2, Map.of(
        "classes", NdValue.ofStrings(new byte[][] {"a".getBytes(), "b".getBytes(),
            "c".getBytes(), "d".getBytes()}, 2, 2),
        "scores", NdValue.ofFloats(new float[] {0.1f, 0.9f, 0.6f, 0.4f}, 2, 2)));
    assertEquals("c", result.getClassifications(1).getClasses(0).getLabel());
    assertEquals(0.6f, result.getClassifications(1).getClasses(0).getScore());
    assertEquals("Tensors class and score should match in dim_size(1). Got 2 vs. 1", refusal(() ->
        ExampleSignatures.classificationResult(1, Map.of(
            "classes", NdValue.ofStrings(new byte[][] {"a".getBytes(), "b".getBytes()}, 1, 2),
            "scores", NdValue.ofFloats(new float[] {1f}, 1, 1)))));
    assertEquals("Expected scores output batch size of 3. Got: 2", refusal(() ->
        ExampleSignatures.classificationResult(3, Map.of(
            "scores", NdValue.ofFloats(new float[] {1f, 2f}, 2, 1)))));
    assertEquals("Expected scores Tensor of DT_FLOAT. Got: DT_INT32", refusal(() ->
        ExampleSignatures.classificationResult(1, Map.of(
            "scores", NdValue.ofInts(new int[] {1}, 1, 1)))));
  }

  @Test
  void regressionTakesOneFloatPerExample() {
    assertEquals(2.5f, ExampleSignatures.regressionResult(2,
        NdValue.ofFloats(new float[] {1f, 2.5f}, 2, 1)).getRegressions(1).getValue());
    assertEquals("Input batch size did not match output batch size: 3 vs. 2", refusal(() ->
        ExampleSignatures.regressionResult(3, NdValue.ofFloats(new float[] {1f, 2f}, 2))));
    assertEquals("Expected output Tensor of DT_FLOAT.  Got: DT_INT64", refusal(() ->
        ExampleSignatures.regressionResult(1, NdValue.ofLongs(new long[] {1}, 1))));
  }

  private static String refusal(Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    return e.getStatus().getDescription();
  }

  private static Example example(Object... keysAndValues) {
    Features.Builder features = Features.newBuilder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      features.putFeature((String) keysAndValues[i], floats((Float) keysAndValues[i + 1]));
    }
    return Example.newBuilder().setFeatures(features).build();
  }

  private static Feature floats(float... values) {
    FloatList.Builder list = FloatList.newBuilder();
    for (float v : values) {
      list.addValue(v);
    }
    return Feature.newBuilder().setFloatList(list).build();
  }
}
