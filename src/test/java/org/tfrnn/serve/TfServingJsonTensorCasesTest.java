package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/**
 * TensorFlow Serving's own JSON tensor cases ({@code tensorflow_serving/util/json_tensor_test.cc})
 * against our reader and writer: their request JSON in, their tensor (dtype, shape, values) or
 * their error out; their tensors in, their JSON out. Inputs are declared, as in their tests, by
 * dtype alone (unknown shape).
 *
 * <p>Left out: {@code TensorFromNonNullTerminatedBuffer} (a C++ buffer detail; we parse the whole
 * body), the {@code ClassifyRegressRequestTest} and {@code ClassifyRegressnResultTest} cases
 * (in {@link TfServingClassifyRegressJsonCasesTest}), and
 * {@code MakeJsonFromTensors} status-code cases (gRPC status plumbing). Kept with a different
 * check: {@code FromJsonSingleFloatTensorSixDigitPrecision}, where TensorFlow Serving writes
 * {@code 9e+06} and {@code 3e-05} and we write {@code 9000000.0} and {@code 3.0E-5}: the same
 * numbers, compared as numbers. Error messages are ours (they name the element); each case checks
 * the status and the fact the message states.
 */
class TfServingJsonTensorCasesTest {

  private static SignatureSpec signature(Object... keysAndDtypes) {
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    for (int i = 0; i < keysAndDtypes.length; i += 2) {
      String key = (String) keysAndDtypes[i];
      inputs.put(key, new TensorSpec(key, key + ":0", (DataType) keysAndDtypes[i + 1], null));
    }
    return new SignatureSpec("serving_default", HalfPlusTwoModel.PREDICT, inputs, Map.of());
  }

  private static PredictRequestJson request(String json) {
    return PredictRequestJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, NdValue> inputs(String json, SignatureSpec signature) {
    return request(json).inputsFor(signature);
  }

  private static String error(String json, SignatureSpec signature) {
    PredictionException e = assertThrows(PredictionException.class, () -> inputs(json, signature));
    assertTrue(e.badRequest(), e.getMessage());
    return e.getMessage();
  }

  private static void assertContains(String part, String message) {
    assertTrue(message.contains(part), message);
  }

  private static byte[][] utf8(String... texts) {
    byte[][] bytes = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      bytes[i] = texts[i].getBytes(StandardCharsets.UTF_8);
    }
    return bytes;
  }

  // --- requests ---

  @Test
  void singleUnnamedTensor() {
    PredictRequestJson request = request("{\"instances\": [[1,2],[3,4],[5,6]]}");
    assertEquals(PredictRequestJson.Format.ROW, request.format());
    assertEquals(NdValue.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 3, 2),
        request.inputsFor(signature("default", DataType.DT_INT32)).get("default"));
  }

  @Test
  void deeplyNestedWellFormedAndMalformed() {
    SignatureSpec ints = signature("default", DataType.DT_INT32);
    String nested = "[".repeat(500_000) + "]".repeat(500_000);
    assertEquals(NdValue.ofInts(new int[] {1}, 1),
        inputs("{\"instances\":[1], \"nested\":" + nested + "}", ints).get("default"));
    assertContains("must be a string", error("{\"signature_name\":" + nested + "}", ints));
  }

  @Test
  void mixedInputForFloatAndDoubleTensors() {
    assertEquals(NdValue.ofFloats(new float[] {1, 2.0f, 3, 4, 5.003f, 0.007f, 0.0f}, 7),
        inputs("{\"instances\": [1, 2.0, 3, 4, 5.003, 0.007, 0.0]}",
            signature("default", DataType.DT_FLOAT)).get("default"));
    assertEquals(new NdValue(DataType.DT_DOUBLE, new long[] {7},
            new double[] {1.0, 2, 3, 4, 0.662, 0, 0.0}),
        inputs("{\"instances\": [1.0, 2, 3, 4, 0.662, 0, 0.0]}",
            signature("default", DataType.DT_DOUBLE)).get("default"));
  }

  /** Their b/181409782: 1435774380 and 1435774380.0 both become the nearest float. */
  @Test
  void floatTensorWithPrecisionLoss() {
    SignatureSpec floats = signature("default", DataType.DT_FLOAT);
    for (String written : new String[] {"1435774380", "1435774380.0"}) {
      float[] v = inputs("{\"instances\": [" + written + "]}", floats).get("default").floats();
      assertEquals(1435774336f, v[0], written); // (float) 1435774380, by Java's own rounding
      assertEquals((float) 1435774380L, v[0], written);
    }
  }

  @Test
  void floatTensorThatExceedsMaxReturnsInfAndBelowMinReturnsZero() {
    SignatureSpec floats = signature("default", DataType.DT_FLOAT);
    // absl::Substitute("$0", numeric_limits<double>::max()) writes 1.79769e+308 (six digits).
    assertEquals(Float.POSITIVE_INFINITY,
        inputs("{ \"instances\": [1.79769e+308] }", floats).get("default").floats()[0]);
    assertEquals(Float.NEGATIVE_INFINITY,
        inputs("{ \"instances\": [-1.79769e+308] }", floats).get("default").floats()[0]);
    assertEquals(0f, inputs("{ \"instances\": [2.22507e-308] }", floats).get("default")
        .floats()[0]);
    assertEquals(-0f, inputs("{ \"instances\": [-2.22507e-308] }", floats).get("default")
        .floats()[0]);
  }

  /** RapidJSON's "Number too big to be stored in double": a parse error, not infinity. */
  @Test
  void numbersBeyondDoubleAreRefused() {
    SignatureSpec floats = signature("default", DataType.DT_FLOAT);
    assertContains("Number too big to be stored in double",
        error("{\"instances\": [1e400]}", floats));
    assertContains("Number too big to be stored in double",
        error("{\"instances\": [1], \"other\": [[-1e400]]}", floats));
    assertContains("Number too big to be stored in double",
        error("{\"instances\": [1" + "0".repeat(400) + "]}", floats));
    // Integers beyond int64 are numbers (for floats) but not int64 values.
    assertEquals(1e30f, inputs("{\"instances\": [1000000000000000000000000000000]}", floats)
        .get("default").floats()[0]);
    assertContains("outside the int64 range", error("{\"instances\": [9223372036854775808]}",
        signature("default", DataType.DT_INT64)));
  }

  @Test
  void singleUnnamedTensorWithSignature() {
    PredictRequestJson request = request(
        "{\"signature_name\": \"predict_images\", \"instances\": [[1,2]]}");
    assertEquals("predict_images", request.signatureName());
    assertEquals(NdValue.ofInts(new int[] {1, 2}, 1, 2),
        request.inputsFor(signature("default", DataType.DT_INT32)).get("default"));
  }

  @Test
  void base64ScalarsListsAndNamed() {
    SignatureSpec strings = signature("default", DataType.DT_STRING);
    assertEquals(NdValue.ofStrings(utf8("hello", "world"), 2), inputs(
        "{\"instances\": [ { \"b64\" : \"aGVsbG8=\" }, { \"b64\": \"d29ybGQ=\" } ]}", strings)
        .get("default"));
    assertEquals(NdValue.ofStrings(utf8("hello", "world"), 2, 1), inputs(
        "{\"instances\": [ [{ \"b64\" : \"aGVsbG8=\" }], [{ \"b64\": \"d29ybGQ=\" }] ]}", strings)
        .get("default"));
    assertEquals(NdValue.ofStrings(utf8("hello", "world"), 1, 2, 1), inputs(
        "{\"instances\": [{\"default\": [ [{ \"b64\" : \"aGVsbG8=\" }], "
            + "[{ \"b64\": \"d29ybGQ=\" }] ]}]}", strings).get("default"));
  }

  /** Not in their file, but their rule: an input named b64 beside others is an input. */
  @Test
  void anInputNamedB64BesideOthersIsAnInput() {
    SignatureSpec two = signature("b64", DataType.DT_STRING, "k", DataType.DT_INT32);
    Map<String, NdValue> inputs = inputs(
        "{\"instances\": [{\"b64\": \"x\", \"k\": 1}, {\"k\": 2, \"b64\": \"y\"}]}", two);
    assertEquals(NdValue.ofStrings(utf8("x", "y"), 2), inputs.get("b64"));
    assertEquals(NdValue.ofInts(new int[] {1, 2}, 2), inputs.get("k"));
  }

  @Test
  void multipleNamedTensor() {
    SignatureSpec four = signature("int_tensor", DataType.DT_INT32, "str_tensor",
        DataType.DT_STRING, "float_tensor", DataType.DT_FLOAT, "dbl_tensor", DataType.DT_DOUBLE);
    Map<String, NdValue> inputs = inputs("{\"instances\": [{"
        + "\"int_tensor\": [[1,2],[3,4],[5,6]], \"str_tensor\": [\"foo\", \"bar\"], "
        + "\"float_tensor\": [1.0, NaN], \"dbl_tensor\": [NaN]}, {"
        + "\"int_tensor\": [[7,8],[9,0],[1,2]], \"str_tensor\": [\"baz\", \"bat\"], "
        + "\"float_tensor\": [2.0, Infinity], \"dbl_tensor\": [2.0]}]}", four);
    assertEquals(NdValue.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}, 2, 3, 2),
        inputs.get("int_tensor"));
    assertEquals(NdValue.ofStrings(utf8("foo", "bar", "baz", "bat"), 2, 2),
        inputs.get("str_tensor"));
    assertEquals(NdValue.ofFloats(new float[] {1, Float.NaN, 2, Float.POSITIVE_INFINITY}, 2, 2),
        inputs.get("float_tensor"));
    assertEquals(new NdValue(DataType.DT_DOUBLE, new long[] {2, 1}, new double[] {Double.NaN, 2}),
        inputs.get("dbl_tensor"));
  }

  @Test
  void columnarFormat() {
    SignatureSpec one = signature("int_tensor", DataType.DT_INT32);
    NdValue expected = NdValue.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 1, 3, 2);
    PredictRequestJson named = request("{\"inputs\": {\"int_tensor\": [[[1,2],[3,4],[5,6]]]}}");
    assertEquals(PredictRequestJson.Format.COLUMNAR, named.format());
    assertEquals(expected, named.inputsFor(one).get("int_tensor"));
    assertEquals(expected, inputs("{\"inputs\": [[[1,2],[3,4],[5,6]]]}", one).get("int_tensor"));

    SignatureSpec three = signature("int_tensor", DataType.DT_INT32, "str_tensor",
        DataType.DT_STRING, "bin_tensor", DataType.DT_STRING);
    Map<String, NdValue> inputs = inputs("{\"inputs\": {\"int_tensor\": [[[1,2],[3,4],[5,6]]], "
        + "\"str_tensor\": [\"foo\", \"bar\"], \"bin_tensor\": { \"b64\" : \"aGVsbG8=\" }}}", three);
    assertEquals(expected, inputs.get("int_tensor"));
    assertEquals(NdValue.ofStrings(utf8("foo", "bar"), 2), inputs.get("str_tensor"));
    assertEquals(NdValue.ofStrings(utf8("hello")), inputs.get("bin_tensor"));
  }

  @Test
  void singleUnnamedTensorErrors() {
    SignatureSpec ints = signature("default", DataType.DT_INT32);
    assertContains("empty", error("", ints));
    assertContains("must be a string",
        error("{\"signature_name\": 5, \"instances\": [[1,2],[3,4],[5,6,7]]}", ints));
    // Theirs: "Not formatted correctly" (both keys); we read as we go, and the ragged
    // "instances" fail first. With regular lists, the two keys are the error.
    assertContains("ragged", error(
        "{\"instances\": [[1,2],[3,4],[5,6,7]], \"inputs\": [[1,2],[3,4],[5,6,7]]}", ints));
    assertContains("both \"instances\" and \"inputs\"", error(
        "{\"instances\": [[1,2],[3,4],[5,6]], \"inputs\": [[1,2],[3,4],[5,6]]}", ints));
    assertContains("ragged", error("{\"instances\": [[1,2],[3,4],[5,6,7]]}", ints));
    assertContains("ragged", error("{\"instances\": [[1,2],[3,4],[[5,6]]]}", ints));
    assertContains("ragged", error("{\"instances\": [1, [1]]}", ints));
    assertContains("\"a\" is a string; input 'default' takes int32 values",
        error("{\"instances\": [[1,2],[\"a\", \"b\"]]}", ints));
  }

  @Test
  void multipleNamedTensorErrors() {
    SignatureSpec two = signature("int_tensor", DataType.DT_INT32, "str_tensor",
        DataType.DT_STRING);
    assertContains("ragged", error("{\"instances\": ["
        + "{\"int_tensor\": [[1,2],[3,4],[5,6]], \"str_tensor\": [\"foo\", \"bar\"]},"
        + "{\"int_tensor\": [[[7,8],[9,0],[1,2]]], \"str_tensor\": [\"baz\", \"bat\"]}]}", two));
    assertContains("ragged", error("{\"instances\": ["
        + "{\"int_tensor\": [[1,2],[3,4],[5,6],[7,8]], \"str_tensor\": [\"foo\", \"bar\"]},"
        + "{\"int_tensor\": [[7,8],[9,0],[1,2]], \"str_tensor\": [\"baz\", \"bat\"]}]}", two));
    assertContains("mixes objects and values", error("{\"instances\": ["
        + "{\"int_tensor\": [[1,2],[3,4],[5,6]], \"str_tensor\": [\"foo\", \"bar\"]},"
        + "[1, 20, 30],"
        + "{\"int_tensor\": [[[7,8],[9,0],[1,2]]], \"str_tensor\": [\"baz\", \"bat\"]}]}", two));
    // Theirs: "Expecting value/list but got object"; an object among values must be base64.
    assertContains("not formatted correctly for base64 data", error("{\"instances\": ["
        + "[\"baz\", \"bar\"], {\"str_tensor\": [\"baz\", \"bat\"]}]}",
        signature("str_tensor", DataType.DT_STRING)));
  }

  // --- responses ---

  private static JsonNode written(Map<String, NdValue> outputs, PredictRequestJson.Format format)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PredictResponseJson.write(outputs, format, out);
    return RestClient.JSON.readTree(out.toByteArray());
  }

  private static JsonNode json(String text) throws IOException {
    return RestClient.JSON.readTree(text);
  }

  private static final NdValue INT_2_3_2 =
      NdValue.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}, 2, 3, 2);
  private static final NdValue BYTES_2_2 =
      NdValue.ofStrings(utf8("hello", "world", "tf", "serving"), 2, 2);

  @Test
  void fromJsonSingleTensors() throws IOException {
    assertEquals(json("{\"predictions\": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 0], [1, 2]]]}"),
        written(Map.of("int_tensor", INT_2_3_2), PredictRequestJson.Format.ROW));
    assertEquals(json("{\"outputs\": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 0], [1, 2]]]}"),
        written(Map.of("int_tensor", INT_2_3_2), PredictRequestJson.Format.COLUMNAR));
    NdValue five = NdValue.ofInts(new int[] {1, 2, 3, 4, 5}, 5);
    assertEquals(json("{ \"predictions\": [1, 2, 3, 4, 5] }"),
        written(Map.of("int_tensor", five), PredictRequestJson.Format.ROW));
    assertEquals(json("{ \"outputs\": [1, 2, 3, 4, 5] }"),
        written(Map.of("int_tensor", five), PredictRequestJson.Format.COLUMNAR));
    assertEquals(json("{\"predictions\": [[{\"b64\": \"aGVsbG8=\"}, {\"b64\": \"d29ybGQ=\"}], "
        + "[{\"b64\": \"dGY=\"}, {\"b64\": \"c2VydmluZw==\"}]]}"),
        written(Map.of("str_tensor_bytes", BYTES_2_2), PredictRequestJson.Format.ROW));
  }

  @Test
  void fromJsonFloatsSixDigitPrecisionAndNonFinite() throws IOException {
    NdValue floats = NdValue.ofFloats(
        new float[] {9000000, 999999, 0.50000f, .0003f, .00003f, 555557.5f}, 2, 3);
    JsonNode got = written(Map.of("float_tensor", floats), PredictRequestJson.Format.ROW);
    float[] theirs = RestClient.floats(json(
        "{\"predictions\": [[9e+06, 999999.0, 0.5], [0.0003, 3e-05, 555557.5]]}")
        .get("predictions"));
    assertArrayEquals(theirs, RestClient.floats(got.get("predictions")));
    NdValue nonFinite = NdValue.ofFloats(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 3,
        Float.NEGATIVE_INFINITY}, 2, 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PredictResponseJson.write(Map.of("float_tensor", nonFinite), PredictRequestJson.Format.ROW,
        out);
    assertEquals("{\"predictions\":[[NaN,Infinity],[3.0,-Infinity]]}",
        out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void fromJsonSingleTensorErrors() {
    assertThrows(PredictionException.class,
        () -> written(Map.of(), PredictRequestJson.Format.ROW));
    // DT_COMPLEX64 (any dtype JSON cannot hold) is refused before the model runs.
    SignatureSpec complex = new SignatureSpec("s", HalfPlusTwoModel.PREDICT, Map.of(), Map.of(
        "tensor", new TensorSpec("tensor", "t:0", DataType.DT_COMPLEX64, new long[] {2})));
    PredictionException e = assertThrows(PredictionException.class,
        () -> PredictResponseJson.requireWritable(complex));
    assertTrue(e.badRequest());
    assertContains("Failed to write JSON value for tensor type: DT_COMPLEX64", e.getMessage());
    e = assertThrows(PredictionException.class, () -> written(
        Map.of("tensor", NdValue.ofInts(new int[] {1})), PredictRequestJson.Format.ROW));
    assertTrue(e.badRequest());
  }

  @Test
  void fromJsonMultipleNamedTensors() throws IOException {
    Map<String, NdValue> outputs = new LinkedHashMap<>();
    outputs.put("int_tensor", INT_2_3_2);
    outputs.put("str_tensor", NdValue.ofStrings(utf8("foo", "bar", "baz", "bat"), 2, 2));
    outputs.put("float_tensor", NdValue.ofFloats(new float[] {1, 2}, 2, 1));
    outputs.put("double_scalar_tensor",
        new NdValue(DataType.DT_DOUBLE, new long[] {2}, new double[] {8, 9}));
    outputs.put("str_tensor_bytes", BYTES_2_2);
    assertEquals(json("{\"predictions\": [{\"double_scalar_tensor\": 8.0, \"float_tensor\": "
        + "[1.0], \"int_tensor\": [[1, 2], [3, 4], [5, 6]], \"str_tensor\": [\"foo\", \"bar\"], "
        + "\"str_tensor_bytes\": [ {\"b64\": \"aGVsbG8=\"}, {\"b64\": \"d29ybGQ=\"} ]}, "
        + "{\"double_scalar_tensor\": 9.0, \"float_tensor\": [2.0], \"int_tensor\": "
        + "[[7, 8], [9, 0], [1, 2]], \"str_tensor\": [\"baz\", \"bat\"], \"str_tensor_bytes\": "
        + "[ {\"b64\": \"dGY=\"}, {\"b64\": \"c2VydmluZw==\"} ]}]}"),
        written(outputs, PredictRequestJson.Format.ROW));
    assertEquals(json("{\"outputs\": {\"double_scalar_tensor\": [8.0, 9.0], \"float_tensor\": "
        + "[[1.0], [2.0]], \"int_tensor\": [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 0], [1, 2]]], "
        + "\"str_tensor\": [[\"foo\", \"bar\"], [\"baz\", \"bat\"]], \"str_tensor_bytes\": "
        + "[[{\"b64\": \"aGVsbG8=\"}, {\"b64\": \"d29ybGQ=\"}], [{\"b64\": \"dGY=\"}, "
        + "{\"b64\": \"c2VydmluZw==\"}]]}}"),
        written(outputs, PredictRequestJson.Format.COLUMNAR));
  }

  @Test
  void fromJsonBatchSizesAndZeroBatches() throws IOException {
    Map<String, NdValue> inconsistent = new LinkedHashMap<>();
    inconsistent.put("int_tensor", NdValue.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
    inconsistent.put("str_tensor", NdValue.ofStrings(utf8("foo", "bar", "baz"), 1, 3));
    assertTrue(assertThrows(PredictionException.class,
        () -> written(inconsistent, PredictRequestJson.Format.ROW)).badRequest());

    assertEquals(json("{ \"predictions\": [] }"), written(
        Map.of("int_tensor", NdValue.ofInts(new int[0], 0, 2)), PredictRequestJson.Format.ROW));
    Map<String, NdValue> zeros = new LinkedHashMap<>();
    zeros.put("str_tensor", NdValue.ofStrings(new byte[0][], 0, 1, 2));
    zeros.put("float_tensor", NdValue.ofFloats(new float[0], 0, 3, 4));
    assertEquals(json("{ \"predictions\": [] }"), written(zeros, PredictRequestJson.Format.ROW));
    Map<String, NdValue> zeroAndOne = new LinkedHashMap<>();
    zeroAndOne.put("int_tensor", NdValue.ofInts(new int[0], 0, 2));
    zeroAndOne.put("str_tensor", NdValue.ofStrings(utf8("foo", "bar"), 1, 2));
    assertTrue(assertThrows(PredictionException.class,
        () -> written(zeroAndOne, PredictRequestJson.Format.ROW)).badRequest());
  }
}
