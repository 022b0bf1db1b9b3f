package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.TextFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tfrnn.inference.PredictionException;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * TensorFlow Serving's own cases for the {@code :classify} and {@code :regress} JSON
 * ({@code ClassifyRegressRequestTest} and {@code ClassifyRegressnResultTest} in
 * {@code tensorflow_serving/util/json_tensor_test.cc}) against {@link ExampleRequestJson}: their
 * JSON in, their expected {@code Input} (their text-format protobuf, parsed by protobuf) out; their
 * results in, their JSON out (compared as JSON values); their errors by the fact each message
 * states. The request cases run once, as the same reader serves both methods (theirs are typed
 * tests over both request types with the same code path).
 */
class TfServingClassifyRegressJsonCasesTest {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private static ExampleRequestJson.Request parse(String json) {
    return ExampleRequestJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Their expected request, from its text format. */
  private static ClassificationRequest expected(String textProto) throws Exception {
    ClassificationRequest.Builder request = ClassificationRequest.newBuilder();
    TextFormat.merge(textProto, request);
    return request.build();
  }

  private static String error(String json) {
    PredictionException e = assertThrows(PredictionException.class, () -> parse(json));
    assertTrue(e.badRequest(), e.getMessage());
    return e.getMessage();
  }

  private static void assertContains(String fragment, String message) {
    assertTrue(message.contains(fragment), () -> "'" + fragment + "' not in: " + message);
  }

  @Test
  void requestNoContext() throws Exception {
    ExampleRequestJson.Request request = parse("""
        {
          "examples": [
            {
              "names": [ "foo", "bar" ],
              "ratings": [ 8.0, 9.0 ],
              "age": 20
            },
            {
              "names": [ "baz" ],
              "ratings": 6.0
            }
          ]
        }""");
    ClassificationRequest want = expected("""
        input {
          example_list {
            examples {
              features {
                feature { key: "names" value { bytes_list { value: "foo" value: "bar" }}}
                feature { key: "ratings" value { float_list { value: 8.0 value: 9.0 }}}
                feature { key: "age" value { int64_list { value: 20 }}}
              }
            }
            examples {
              features {
                feature { key: "names" value { bytes_list { value: "baz" }}}
                feature { key: "ratings" value { float_list { value: 6.0 }}}
              }
            }
          }
        }""");
    assertEquals(want.getInput(), request.input());
    assertEquals("", request.signatureName());
  }

  @Test
  void requestWithContextAndSignature() throws Exception {
    ExampleRequestJson.Request request = parse("""
        {
          "signature_name": "custom_signture",
          "context": {
            "query": "pizza",
            "location": [ "sfo" ]
          },
          "examples": [
            {
              "names": [ "foo", "bar" ],
              "ratings": [ 8.0, 9.0, NaN, Infinity ],
              "age": 20
            },
            {
              "names": [ "baz", { "b64": "aGVsbG8=" } ],
              "ratings": 6.0,
              "intboolmix": [ 1, true, false ]
            },
            {
              "names": "bar",
              "ratings": -Infinity
            }
          ]
        }""");
    ClassificationRequest want = expected("""
        model_spec { signature_name: "custom_signture" }
        input {
          example_list_with_context {
            context {
              features {
                feature { key: "query" value { bytes_list { value: "pizza" }}}
                feature { key: "location" value { bytes_list { value: "sfo" }}}
              }
            }
            examples {
              features {
                feature { key: "names" value { bytes_list { value: "foo" value: "bar" }}}
                feature { key: "ratings" value { float_list {
                  value: 8.0 value: 9.0 value: NaN value: Infinity }}}
                feature { key: "age" value { int64_list { value: 20 }}}
              }
            }
            examples {
              features {
                feature { key: "names" value { bytes_list { value: "baz" value: "hello" }}}
                feature { key: "ratings" value { float_list { value: 6.0 }}}
                feature { key: "intboolmix" value { int64_list { value: 1 value: 1 value: 0 }}}
              }
            }
            examples {
              features {
                feature { key: "names" value { bytes_list { value: "bar" }}}
                feature { key: "ratings" value { float_list { value: -Infinity }}}
              }
            }
          }
        }""");
    // Protobuf compares floats by their bits, so NaN equals NaN as their comparator is told to.
    assertEquals(want.getInput(), request.input());
    assertEquals(want.getModelSpec().getSignatureName(), request.signatureName());
  }

  @Test
  void jsonErrors() {
    assertContains("'signature_name' key must be a string", error("""
        {
          "signature_name": [ "hello" ],
          "examples": [ { "names": [ "foo", "bar" ] } ]
        }"""));
    assertContains("Example must be JSON object", error("""
        { "context": [ { "names": [ "foo", "bar" ] } ] }"""));
    assertContains("list/array", error("""
        { "examples": { "names": [ "foo", "bar" ] } }"""));
    assertContains("Example must be JSON object", error("""
        { "examples": [ [ { "names": [ "foo", "bar" ] } ] ] }"""));
    assertContains("names has element with unexpected JSON type: Null", error("""
        { "examples": [ { "names": [ 10, null ] } ] }"""));
    assertContains("feature: names expecting type: int64", error("""
        { "examples": [ { "names": [ 10, 10.0 ] } ] }"""));
    assertContains("names has element with unexpected JSON type: Object", error("""
        { "examples": [ { "names": [ 10, { "test": 10 } ] } ] }"""));
    assertContains("names has element with unexpected JSON type: Array", error("""
        { "examples": [ { "names": [ [10], 20 ] } ] }"""));
    assertContains("Only int64_t is supported", error("""
        { "examples": [ { "names": [ 20, 18446744073709551603 ] } ] }"""));
  }

  /** Not theirs: the other refusals of their reader, with their texts. */
  @Test
  void otherRefusalsCarryTensorFlowServingsTexts() {
    assertContains("The document is empty", error(""));
    assertContains("key 'examples' is expected and was not found", error("{\"context\": {}}"));
    assertContains("'examples' value is an empty array", error("{\"examples\": []}"));
    assertContains("Is not object", error("[1]"));
    assertContains("Number too big to be stored in double", error(
        "{\"examples\": [{\"x\": 1e400}]}"));
    assertContains("Unable to base64 decode", error(
        "{\"examples\": [{\"x\": {\"b64\": \"!!\"}}]}"));
    assertContains("names has element with unexpected JSON type: Object", error(
        "{\"examples\": [{\"names\": {\"b64\": \"aGk=\", \"more\": {\"deep\": [1]}}}]}"));
    assertContains("malformed JSON", error("{\"examples\": [{\"x\": 1}"));
  }

  @Test
  void jsonFromClassificationResult() throws Exception {
    ClassificationResult.Builder result = ClassificationResult.newBuilder();
    TextFormat.merge("""
        classifications {
          classes { label: "car" score: 0.2 }
          classes { label: "bike" score: 0.7 }
          classes { label: "bus" score: 0.1 }
        }
        classifications {
          classes { label: "car" score: 0.7 }
          classes { label: "bike" score: 0.1 }
          classes { label: "bus" score: 0.2 }
        }""", result);
    assertJson("""
        {
          "results": [
            [ ["car", 0.2], ["bike", 0.7], ["bus", 0.1] ],
            [ ["car", 0.7], ["bike", 0.1], ["bus", 0.2] ]
          ]
        }""", ExampleRequestJson.classifications(result.build()));
  }

  @Test
  void jsonFromRegressionResult() throws Exception {
    RegressionResult.Builder result = RegressionResult.newBuilder();
    TextFormat.merge("regressions { value: 0.2 } regressions { value: 0.9 } "
        + "regressions { value: 1.0 }", result);
    assertJson("{ \"results\": [ 0.2, 0.9, 1.0 ] }",
        ExampleRequestJson.regressions(result.build()));
  }

  @Test
  void jsonFromRegressionResultWithNonFinite() throws Exception {
    RegressionResult.Builder result = RegressionResult.newBuilder();
    TextFormat.merge("regressions { value: 0.2 } regressions { value: Infinity } "
        + "regressions { value: 1.0 } regressions { value: -Infinity } "
        + "regressions { value: NaN }", result);
    // Their check compares every value as its text: the bare tokens, as they write them.
    assertEquals("{\"results\":[0.2,Infinity,1.0,-Infinity,NaN]}",
        new String(ExampleRequestJson.regressions(result.build()), StandardCharsets.UTF_8));
  }

  @Test
  void jsonFromResultErrors() {
    assertContains("empty ClassificationResults", assertThrows(PredictionException.class,
        () -> ExampleRequestJson.classifications(ClassificationResult.getDefaultInstance()))
        .getMessage());
    assertContains("empty RegressionResults", assertThrows(PredictionException.class,
        () -> ExampleRequestJson.regressions(RegressionResult.getDefaultInstance()))
        .getMessage());
  }

  /** Equal as JSON values, numbers as floats (their results are floats). */
  private static void assertJson(String want, byte[] got) throws Exception {
    assertJsonNode(JSON.readTree(want), JSON.readTree(got), "$");
  }

  private static void assertJsonNode(JsonNode want, JsonNode got, String where) {
    if (want.isNumber()) {
      assertTrue(got.isNumber(), where + ": " + got);
      assertEquals((float) want.asDouble(), (float) got.asDouble(), where);
      return;
    }
    assertEquals(want.getNodeType(), got.getNodeType(), where);
    if (want.isContainerNode()) {
      assertEquals(want.size(), got.size(), where);
      for (int i = 0; i < want.size(); i++) {
        if (want.isArray()) {
          assertJsonNode(want.get(i), got.get(i), where + "[" + i + "]");
        }
      }
      want.fieldNames().forEachRemaining(name ->
          assertJsonNode(want.get(name), got.get(name), where + "." + name));
    } else {
      assertEquals(want, got, where);
    }
  }
}
