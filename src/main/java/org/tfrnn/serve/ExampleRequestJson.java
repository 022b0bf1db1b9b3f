package org.tfrnn.serve;

import static org.tfrnn.inference.PredictionException.badRequest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import tensorflow.serving.Classification;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.RegressionOuterClass.Regression;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * The JSON of TensorFlow Serving's REST {@code :classify} and {@code :regress} (its
 * {@code json_tensor.cc}), to and from the {@link Input} and results of the gRPC messages:
 *
 * <pre>
 * {"signature_name": "...",                    optional
 *  "context": {"feature": value, ...},         optional, merged into every example
 *  "examples": [{"feature": value, ...}, ...]}
 * </pre>
 *
 * A feature's value is one element or a list of them, all of one kind: integers and booleans make
 * an {@code int64_list}, decimals (and NaN, Infinity) a {@code float_list}, strings and
 * {@code {"b64": "..."}} a {@code bytes_list}. Answers are {@code {"results": [[["label", score],
 * ...], ...]}} and {@code {"results": [value, ...]}}. Errors are a bad request with TensorFlow
 * Serving's text.
 */
final class ExampleRequestJson {
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** A parsed request: its signature name (empty for the default) and its examples. */
  record Request(String signatureName, Input input) { }

  private ExampleRequestJson() {}

  /** Parses a {@code :classify} or {@code :regress} request body. */
  static Request parse(byte[] body) {
    if (body.length == 0) {
      throw badRequest("JSON Parse error: The document is empty");
    }
    return PredictRequestJson.read(body, ExampleRequestJson::parse);
  }

  private static Request parse(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw badRequest("JSON Value: " + parser.getText() + " Is not object");
    }
    String signatureName = "";
    Example context = null;
    List<Example> examples = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "signature_name" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw badRequest("Not formatted correctly. 'signature_name' key must be a "
                + "string value.");
          }
          signatureName = parser.getText();
        }
        case "context" -> context = example(parser);
        case "examples" -> {
          if (value != JsonToken.START_ARRAY) {
            throw badRequest("Expecting 'examples' value to be an list/array");
          }
          examples = new ArrayList<>();
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            examples.add(example(parser));
          }
          if (examples.isEmpty()) {
            throw badRequest("'examples' value is an empty array");
          }
        }
        default -> parser.skipChildren();
      }
    }
    if (examples == null) {
      // TensorFlow Serving's text, which names classify for both methods.
      throw badRequest("When method is classify, key 'examples' is expected and was "
          + "not found");
    }
    Input.Builder input = Input.newBuilder();
    if (context != null) {
      input.setExampleListWithContext(ExampleListWithContext.newBuilder().setContext(context)
          .addAllExamples(examples));
    } else {
      input.setExampleList(ExampleList.newBuilder().addAllExamples(examples));
    }
    return new Request(signatureName, input.build());
  }

  /** One example object; the parser is on its first token. */
  private static Example example(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw badRequest("Example must be JSON object but got JSON " + typeOf(parser));
    }
    Features.Builder features = Features.newBuilder();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      Feature.Builder feature = Feature.newBuilder();
      if (parser.nextToken() == JsonToken.START_ARRAY) {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          addValue(parser, name, feature);
        }
      } else {
        addValue(parser, name, feature);
      }
      features.putFeature(name, feature.build());
    }
    return Example.newBuilder().setFeatures(features).build();
  }

  /** Adds the element the parser is on to the feature, as TensorFlow Serving types it. */
  private static void addValue(JsonParser parser, String name, Feature.Builder feature)
      throws IOException {
    switch (parser.currentToken()) {
      case VALUE_TRUE, VALUE_FALSE -> int64s(name, feature)
          .addValue(parser.currentToken() == JsonToken.VALUE_TRUE ? 1 : 0);
      case VALUE_STRING -> bytes(name, feature)
          .addValue(ByteString.copyFrom(parser.getText(), StandardCharsets.UTF_8));
      case START_OBJECT -> {
        String encoded = base64Object(parser);
        if (encoded == null) {
          throw unexpectedType(name, "Object");
        }
        byte[] decoded;
        try {
          decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          throw badRequest("Unable to base64 decode (feature: " + name + ": " + e.getMessage()
              + ")");
        }
        bytes(name, feature).addValue(ByteString.copyFrom(decoded));
      }
      case VALUE_NUMBER_FLOAT -> {
        double v = parser.getDoubleValue();
        JsonTensorReader.requireDouble(parser, v, "feature: " + name);
        floats(name, feature).addValue((float) v);
      }
      case VALUE_NUMBER_INT -> {
        if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          int64s(name, feature).addValue(parser.getLongValue());
        } else if (parser.getBigIntegerValue().signum() > 0
            && parser.getBigIntegerValue().compareTo(UINT64_MAX) <= 0) {
          throw badRequest("Feature: " + name + " has uint64_t element. Only int64_t is "
              + "supported.");
        } else {
          // Beyond int64 (below) or uint64 (above) RapidJSON reads a double, as TF Serving then.
          floats(name, feature).addValue((float) parser.getDoubleValue());
        }
      }
      case VALUE_NULL -> throw unexpectedType(name, "Null");
      case START_ARRAY -> throw unexpectedType(name, "Array");
      default -> throw badRequest("Feature: " + name + " has an unexpected JSON token "
          + parser.currentToken());
    }
  }

  /**
   * The base64 text of a {@code {"b64": "..."}} object, or null for any other object (then read
   * to its end); the parser is on its start.
   */
  private static String base64Object(JsonParser parser) throws IOException {
    String encoded = null;
    int members = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      members++;
      String key = parser.currentName();
      if (parser.nextToken() == JsonToken.VALUE_STRING && key.equals("b64")) {
        encoded = parser.getText();
      }
      parser.skipChildren();
    }
    return members == 1 ? encoded : null;
  }

  private static Int64List.Builder int64s(String name, Feature.Builder feature) {
    requireKind(name, feature, Feature.KindCase.INT64_LIST);
    return feature.getInt64ListBuilder();
  }

  private static FloatList.Builder floats(String name, Feature.Builder feature) {
    requireKind(name, feature, Feature.KindCase.FLOAT_LIST);
    return feature.getFloatListBuilder();
  }

  private static BytesList.Builder bytes(String name, Feature.Builder feature) {
    requireKind(name, feature, Feature.KindCase.BYTES_LIST);
    return feature.getBytesListBuilder();
  }

  /** TensorFlow Serving's refusal of a feature that mixes kinds, naming the kind it has. */
  private static void requireKind(String name, Feature.Builder feature, Feature.KindCase kind) {
    Feature.KindCase has = feature.getKindCase();
    if (has == Feature.KindCase.KIND_NOT_SET || has == kind) {
      return;
    }
    String hasName = switch (has) {
      case BYTES_LIST -> "bytes";
      case FLOAT_LIST -> "float";
      case INT64_LIST -> "int64";
      case KIND_NOT_SET -> "UNKNOWN";
    };
    throw badRequest("Unexpected element type in feature: " + name + " expecting type: "
        + hasName);
  }

  private static RuntimeException unexpectedType(String name, String jsonType) {
    return badRequest("Feature: " + name + " has element with unexpected JSON type: " + jsonType);
  }

  /** RapidJSON's name of the JSON type the parser is on. */
  private static String typeOf(JsonParser parser) {
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> "Object";
      case START_ARRAY -> "Array";
      case VALUE_STRING -> "String";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "Number";
      case VALUE_TRUE -> "True";
      case VALUE_FALSE -> "False";
      case VALUE_NULL -> "Null";
      default -> String.valueOf(token);
    };
  }

  /** {@code {"results": [[["label", score], ...], ...]}}: one list of classes per example. */
  static byte[] classifications(ClassificationResult result) {
    if (result.getClassificationsCount() == 0) {
      throw badRequest("Cannot convert empty ClassificationResults to JSON");
    }
    return results(json -> {
      for (Classification.Classifications example : result.getClassificationsList()) {
        json.writeStartArray();
        for (Classification.Class entry : example.getClassesList()) {
          json.writeStartArray();
          json.writeString(entry.getLabel());
          json.writeNumber(entry.getScore());
          json.writeEndArray();
        }
        json.writeEndArray();
      }
    });
  }

  /** {@code {"results": [value, ...]}}: one value per example. */
  static byte[] regressions(RegressionResult result) {
    if (result.getRegressionsCount() == 0) {
      throw badRequest("Cannot convert empty RegressionResults to JSON");
    }
    return results(json -> {
      for (Regression regression : result.getRegressionsList()) {
        json.writeNumber(regression.getValue());
      }
    });
  }

  private interface ResultsWriter {
    void write(JsonGenerator json) throws IOException;
  }

  /** Floats as the predict answers write them (shortest round trip, NaN and Infinity bare). */
  private static byte[] results(ResultsWriter elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = PredictResponseJson.JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeFieldName("results");
      json.writeStartArray();
      elements.write(json);
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
