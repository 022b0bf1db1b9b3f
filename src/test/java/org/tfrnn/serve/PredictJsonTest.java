package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/** JSON <-> NdValue for :predict, without HTTP or a model: TensorFlow Serving's rules. */
class PredictJsonTest {
  private static final TensorSpec IMAGES = new TensorSpec("x", "x:0", DataType.DT_FLOAT,
      new long[] {-1, 2, 3});
  private static final SignatureSpec ONE_INPUT = signature(IMAGES);

  private static SignatureSpec signature(TensorSpec... inputs) {
    Map<String, TensorSpec> in = new LinkedHashMap<>();
    for (TensorSpec input : inputs) {
      in.put(input.key(), input);
    }
    TensorSpec out = new TensorSpec("y", "y:0", DataType.DT_FLOAT, new long[] {-1});
    return new SignatureSpec("serving_default", "tensorflow/serving/predict", in,
        Map.of("y", out));
  }

  private static Map<String, NdValue> inputs(String json, SignatureSpec signature) {
    return PredictRequestJson.parse(json.getBytes(StandardCharsets.UTF_8)).inputsFor(signature);
  }

  private static String errorOf(String json, SignatureSpec signature) {
    PredictionException e = assertThrows(PredictionException.class, () -> inputs(json, signature));
    assertTrue(e.badRequest(), e.getMessage());
    return e.getMessage();
  }

  private static TensorSpec spec(DataType dtype, long... dims) {
    return new TensorSpec("v", "v:0", dtype, dims);
  }

  @Test
  void rowsOfValuesStackIntoOneBatch() {
    PredictRequestJson request = PredictRequestJson.parse(
        "{\"instances\": [[[1, 2, 3], [4, 5, 6]], [[0.5, -1e-3, 7], [8, 9, 1.25E2]]]}"
            .getBytes(StandardCharsets.UTF_8));
    assertEquals(PredictRequestJson.Format.ROW, request.format());
    NdValue x = request.inputsFor(ONE_INPUT).get("x");
    assertArrayEquals(new long[] {2, 2, 3}, x.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0.5f, -0.001f, 7, 8, 9, 125}, x.floats());
  }

  @Test
  void rowsOfObjectsAndColumnsGiveTheSameTensors() {
    SignatureSpec two = signature(spec(DataType.DT_FLOAT, -1, 2),
        new TensorSpec("k", "k:0", DataType.DT_INT64, new long[] {-1}));
    Map<String, NdValue> rows = inputs(
        "{\"instances\": [{\"v\": [1, 2], \"k\": 7}, {\"k\": -3, \"v\": [3.5, 4]}]}", two);
    Map<String, NdValue> columns = inputs(
        "{\"signature_name\": \"serving_default\","
            + " \"inputs\": {\"v\": [[1, 2], [3.5, 4]], \"k\": [7, -3]}}", two);
    assertEquals(NdValue.ofFloats(new float[] {1, 2, 3.5f, 4}, 2, 2), rows.get("v"));
    assertEquals(NdValue.ofLongs(new long[] {7, -3}, 2), rows.get("k"));
    assertEquals(rows, columns);
  }

  @Test
  void columnarValueFeedsTheOnlyInput() {
    PredictRequestJson request = PredictRequestJson.parse(
        "{\"inputs\": [[[1, 2, 3], [4, 5, 6]]]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(PredictRequestJson.Format.COLUMNAR, request.format());
    assertEquals(NdValue.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3),
        request.inputsFor(ONE_INPUT).get("x"));
  }

  @Test
  void signatureNameMayComeAfterTheTensors() {
    PredictRequestJson request = PredictRequestJson.parse(
        "{\"inputs\": [1], \"signature_name\": \"other\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("other", request.signatureName());
  }

  @Test
  void integersConvertToFloatsButDecimalsNeverToIntegers() {
    SignatureSpec floats = signature(spec(DataType.DT_FLOAT, -1));
    assertArrayEquals(new float[] {3, -16777216}, inputs("{\"inputs\": {\"v\": [3, -16777216]}}",
        floats).get("v").floats());
    SignatureSpec ints = signature(spec(DataType.DT_INT32, -1));
    assertArrayEquals(new int[] {3, -2147483648}, inputs("{\"inputs\": [3, -2147483648]}", ints)
        .get("v").ints());
    assertEquals("'inputs'[1]: 2.5 is not an integer; input 'v' takes int32 values (int32[-1])",
        errorOf("{\"inputs\": [1, 2.5]}", ints));
    assertTrue(errorOf("{\"inputs\": [1.0]}", ints).contains("1.0 is not an integer"));
    assertTrue(errorOf("{\"inputs\": [2147483648]}", ints).contains("outside the int32 range"));
    SignatureSpec longs = signature(spec(DataType.DT_INT64, -1));
    assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MIN_VALUE},
        inputs("{\"inputs\": [9223372036854775807, -9223372036854775808]}", longs)
            .get("v").longs());
    assertTrue(errorOf("{\"inputs\": [9223372036854775808]}", longs)
        .contains("outside the int64 range"));
    SignatureSpec doubles = signature(spec(DataType.DT_DOUBLE, -1));
    assertArrayEquals(new double[] {0.1, 9007199254740992.0},
        inputs("{\"inputs\": [0.1, 9007199254740992]}", doubles).get("v").doubles());
  }

  @Test
  void nanAndInfinityAreNumbers() {
    SignatureSpec floats = signature(spec(DataType.DT_FLOAT, -1));
    float[] v = inputs("{\"inputs\": [NaN, Infinity, -Infinity]}", floats).get("v").floats();
    assertTrue(Float.isNaN(v[0]));
    assertEquals(Float.POSITIVE_INFINITY, v[1]);
    assertEquals(Float.NEGATIVE_INFINITY, v[2]);
  }

  @Test
  void booleansAreBooleansOnly() {
    SignatureSpec bools = signature(spec(DataType.DT_BOOL, -1));
    assertArrayEquals(new boolean[] {true, false},
        inputs("{\"inputs\": [true, false]}", bools).get("v").booleans());
    assertEquals("'inputs'[1]: 1 is a number; input 'v' takes bool values (bool[-1])",
        errorOf("{\"inputs\": [true, 1]}", bools));
    assertEquals("'instances'[0][0][2]: true is a boolean; input 'x' takes float32 values "
        + "(float32[-1,2,3])", errorOf("{\"instances\": [[[1, 2, true]]]}", ONE_INPUT));
  }

  @Test
  void stringsNullsAndObjectsAreNotNumbers() {
    assertEquals("'instances'[0][1][2]: \"7\" is a string; input 'x' takes float32 values "
        + "(float32[-1,2,3])", errorOf("{\"instances\": [[[1, 2, 3], [4, 5, \"7\"]]]}", ONE_INPUT));
    assertTrue(errorOf("{\"inputs\": [1, null]}", ONE_INPUT).contains("'inputs'[1]: null"));
    assertEquals("'inputs'[0][0]: {\"b64\": \"AA==\"} is a string; input 'x' takes float32 "
        + "values (float32[-1,2,3])", errorOf("{\"inputs\": [[{\"b64\": \"AA==\"}]]}", ONE_INPUT));
    assertTrue(errorOf("{\"inputs\": [[{\"x\": 1}]]}", ONE_INPUT)
        .contains("'inputs'[0][0]: an object that is not formatted correctly for base64 data"));
  }

  @Test
  void raggedListsAreRefusedWithTheirPath() {
    assertEquals("'instances'[1][0] is ragged: this list has 2 elements where the lists before "
        + "it at the same depth have 3",
        errorOf("{\"instances\": [[[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4]]]}", ONE_INPUT));
    assertTrue(errorOf("{\"inputs\": [[1, 2], 3]}", ONE_INPUT)
        .startsWith("'inputs'[1]: a number where a list is expected"));
    assertTrue(errorOf("{\"inputs\": [1, [2, 3]]}", ONE_INPUT)
        .startsWith("'inputs'[1]: a list where a number is expected"));
    assertTrue(errorOf("{\"inputs\": [[[]], [1]]}", ONE_INPUT)
        .startsWith("'inputs'[1][0]: a number where a list is expected"));
    assertEquals("'instances'[1].v is ragged: this list has 1 element where the lists before it "
        + "at the same depth have 2",
        errorOf("{\"instances\": [{\"v\": [1, 2]}, {\"v\": [1]}]}",
            signature(spec(DataType.DT_FLOAT, -1, 2))));
  }

  @Test
  void emptyListsHaveTheirShape() {
    PredictRequestJson request = PredictRequestJson.parse(
        "{\"inputs\": [[], []]}".getBytes(StandardCharsets.UTF_8));
    NdValue v = request.inputsFor(signature(spec(DataType.DT_FLOAT, -1, -1))).get("v");
    assertArrayEquals(new long[] {2, 0}, v.shape());
  }

  @Test
  void requestsThatAreNotPredictRequestsAreRefused() {
    assertTrue(errorOf("", ONE_INPUT).contains("empty"));
    assertTrue(errorOf("{\"instances\": [1,", ONE_INPUT).startsWith("malformed JSON"));
    assertTrue(errorOf("[1, 2]", ONE_INPUT).contains("must be a JSON object"));
    assertTrue(errorOf("{\"instance\": [1]}", ONE_INPUT)
        .startsWith("missing \"instances\" or \"inputs\""));
    assertTrue(errorOf("{\"instances\": [], \"x\": 1}", ONE_INPUT).contains("empty list"));
    assertTrue(errorOf("{\"instances\": {\"x\": [1]}}", ONE_INPUT).contains("must be a list"));
    assertTrue(errorOf("{\"instances\": [1], \"inputs\": [1]}", ONE_INPUT).contains("both"));
    assertTrue(errorOf("{\"signature_name\": 3, \"inputs\": [1]}", ONE_INPUT)
        .contains("must be a string"));
    assertTrue(errorOf("{\"inputs\": [1]} []", ONE_INPUT).contains("after the request"));
    assertTrue(errorOf("{\"inputs\": [1], \"inputs\": [2]}", ONE_INPUT)
        .startsWith("malformed JSON: Duplicate field 'inputs'"));
  }

  @Test
  void inputKeysMustMatchTheSignature() {
    SignatureSpec two = signature(spec(DataType.DT_FLOAT, -1),
        new TensorSpec("k", "k:0", DataType.DT_INT64, new long[] {-1}));
    assertEquals("missing input 'k' (int64[-1]) of signature 'serving_default'",
        errorOf("{\"inputs\": {\"v\": [1]}}", two));
    assertEquals("signature 'serving_default' has no input 'w'; its inputs are [v, k]",
        errorOf("{\"inputs\": {\"v\": [1], \"k\": [1], \"w\": [1]}}", two));
    assertTrue(errorOf("{\"instances\": [1, 2]}", two)
        .contains("send a list of objects keyed by input name"));
    assertTrue(errorOf("{\"instances\": [{\"v\": 1, \"k\": 2}, {\"v\": 1}]}", two)
        .contains("'instances'[1] has inputs [v] but element 0 has [k, v]"));
    assertTrue(errorOf("{\"instances\": [{\"v\": 1, \"k\": 2}, 3]}", two)
        .contains("mixes objects and values"));
  }

  private static String response(Map<String, NdValue> outputs, PredictRequestJson.Format format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PredictResponseJson.write(outputs, format, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rowResponsesHaveOneElementPerExample() {
    Map<String, NdValue> outputs = new LinkedHashMap<>();
    outputs.put("classes", NdValue.ofLongs(new long[] {7, 2}, 2));
    outputs.put("logits", NdValue.ofFloats(new float[] {0.1f, -2, 1e-7f, Float.NaN}, 2, 2));
    assertEquals("{\"predictions\":[{\"classes\":7,\"logits\":[0.1,-2.0]},"
        + "{\"classes\":2,\"logits\":[1.0E-7,NaN]}]}",
        response(outputs, PredictRequestJson.Format.ROW));
    assertEquals("{\"predictions\":[[0.1,-2.0],[1.0E-7,NaN]]}",
        response(Map.of("logits", outputs.get("logits")), PredictRequestJson.Format.ROW));
  }

  @Test
  void columnarResponsesHaveWholeTensors() {
    Map<String, NdValue> outputs = new LinkedHashMap<>();
    outputs.put("classes", NdValue.ofInts(new int[] {7, 2}, 2));
    outputs.put("scores", new NdValue(DataType.DT_DOUBLE, new long[] {2, 1, 1},
        new double[] {0.25, Double.NEGATIVE_INFINITY}));
    outputs.put("flag", new NdValue(DataType.DT_BOOL, new long[] {}, new boolean[] {true}));
    assertEquals("{\"outputs\":{\"classes\":[7,2],\"scores\":[[[0.25]],[[-Infinity]]],"
        + "\"flag\":true}}", response(outputs, PredictRequestJson.Format.COLUMNAR));
    assertEquals("{\"outputs\":[7,2]}",
        response(Map.of("classes", outputs.get("classes")), PredictRequestJson.Format.COLUMNAR));
  }

  @Test
  void rowResponsesNeedABatchDimension() {
    PredictionException e = assertThrows(PredictionException.class, () -> response(
        Map.of("flag", new NdValue(DataType.DT_BOOL, new long[] {}, new boolean[] {true})),
        PredictRequestJson.Format.ROW));
    assertTrue(e.getMessage().contains("columnar"), e.getMessage());
  }

  @Test
  void floatsSurviveTheRoundTripExactly() {
    float[] values = {0.1f, 1f / 3, 255f / 255, 17f / 255, Float.MIN_VALUE, Float.MAX_VALUE,
        -0.0f, 1.17549435E-38f, 123456.79f};
    String json = response(Map.of("v", NdValue.ofFloats(values, values.length)),
        PredictRequestJson.Format.COLUMNAR);
    String request = json.replace("\"outputs\"", "\"inputs\"");
    NdValue back = inputs(request, signature(spec(DataType.DT_FLOAT, -1))).get("v");
    assertArrayEquals(values, back.floats());
  }
}
