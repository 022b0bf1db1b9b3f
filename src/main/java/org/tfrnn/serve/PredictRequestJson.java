package org.tfrnn.serve;

import static org.tfrnn.inference.PredictionException.badRequest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/**
 * The body of a TensorFlow Serving {@code :predict} request, parsed:
 *
 * <pre>
 * {"signature_name": "serving_default",          optional
 *  "instances": [v1, v2, ...]                     row format: one value per example, or
 *  "instances": [{"x": v1, "k": w1}, ...]         one object per example, keyed by input
 *  "inputs": v | {"x": v, "k": w}}                columnar format: whole tensors
 * </pre>
 *
 * Values are numbers, booleans, strings ({@code "text"} or {@code {"b64": "..."}}) and nested
 * lists of them; NaN, Infinity and -Infinity are accepted as TensorFlow Serving accepts them. Everything wrong with the request is a {@link
 * PredictionException} that is the request's fault, with a message that says where.
 */
final class PredictRequestJson {
  /** Whether the request was written in rows or columns; the response is written the same way. */
  enum Format { ROW, COLUMNAR }

  /**
   * As TensorFlow Serving's RapidJSON reader (iterative, so without a nesting limit): Jackson's
   * default limit of 1000 levels would refuse valid requests, e.g. one carrying a deeply nested
   * key the server ignores. Jackson keeps one small context object per open level, so the request
   * size limit bounds the memory a deep request takes.
   */
  static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(Integer.MAX_VALUE).build())
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Format format;
  private final String signatureName;
  // A single value for the only input, or null when the request names its inputs.
  private final JsonTensor unnamed;
  private final Map<String, JsonTensor> named;

  private PredictRequestJson(Format format, String signatureName, JsonTensor unnamed,
      Map<String, JsonTensor> named) {
    this.format = format;
    this.signatureName = signatureName;
    this.unnamed = unnamed;
    this.named = named;
  }

  Format format() {
    return format;
  }

  /** The requested signature, or null for the default one. */
  String signatureName() {
    return signatureName;
  }

  /**
   * Parses a request body.
   *
   * @throws PredictionException (a bad request) if it is not JSON or not a predict request
   */
  static PredictRequestJson parse(byte[] body) {
    if (body.length == 0) {
      throw badRequest("the request body is empty; a predict request is a JSON object with "
          + "\"instances\" or \"inputs\"");
    }
    return read(body, PredictRequestJson::parse);
  }

  /** Reads a request body with {@code reader}; JSON syntax errors are a bad request. */
  static <T> T read(byte[] body, JsonReader<T> reader) {
    try (JsonParser parser = JSON.createParser(body)) {
      return reader.read(parser);
    } catch (JsonProcessingException e) {
      // Jackson's message names the source (redacted) where an unclosed list or object started.
      String why = e.getOriginalMessage().replaceAll(
          "\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]\\)",
          "(opened at line $1, column $2)");
      // Some errors (a stream constraint) carry no location.
      JsonLocation where = e.getLocation();
      throw badRequest("malformed JSON: " + why + (where == null ? ""
          : ", at line " + where.getLineNr() + ", column " + where.getColumnNr()));
    } catch (IOException e) {
      // A byte array cannot fail to be read; anything else is the parser's report on the input.
      throw badRequest("cannot read the request: " + e.getMessage());
    }
  }

  /** Reads one request from a parser over its body. */
  @FunctionalInterface
  interface JsonReader<T> {
    T read(JsonParser parser) throws IOException;
  }

  private static PredictRequestJson parse(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw badRequest("the request must be a JSON object with \"instances\" or \"inputs\", "
          + "got " + describe(parser.currentToken()));
    }
    String signatureName = null;
    Format format = null;
    JsonTensor unnamed = null;
    Map<String, JsonTensor> named = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "signature_name" -> {
          if (value != JsonToken.VALUE_STRING) {
            throw badRequest("\"signature_name\" must be a string, got " + describe(value));
          }
          signatureName = parser.getText();
        }
        case "instances", "inputs" -> {
          if (format != null) {
            throw badRequest("the request has both \"instances\" and \"inputs\"; use one: "
                + "\"instances\" for rows, \"inputs\" for columns");
          }
          if (field.equals("instances")) {
            format = Format.ROW;
            named = readInstances(parser);
            if (named.size() == 1 && named.containsKey(null)) {
              unnamed = named.remove(null);
            }
          } else {
            format = Format.COLUMNAR;
            if (value == JsonToken.START_OBJECT) {
              named = readInputsObject(parser);
            } else {
              unnamed = readOne(parser, "'inputs'");
            }
          }
        }
        default -> skipValue(parser, field); // TensorFlow Serving ignores other keys too
      }
    }
    if (parser.nextToken() != null) {
      throw badRequest("unexpected content after the request's JSON object");
    }
    if (format == null) {
      throw badRequest("missing \"instances\" or \"inputs\": a predict request is "
          + "{\"instances\": [...]} (rows) or {\"inputs\": ...} (columns)");
    }
    return new PredictRequestJson(format, signatureName, unnamed,
        named == null ? Map.of() : named);
  }

  /**
   * Skips an ignored value, checking what TensorFlow Serving's parser checks in it too: every
   * number must fit a double.
   */
  private static void skipValue(JsonParser parser, String field) throws IOException {
    int depth = 0;
    JsonToken token = parser.currentToken();
    while (true) {
      switch (token) {
        case START_ARRAY, START_OBJECT -> depth++;
        case END_ARRAY, END_OBJECT -> depth--;
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> JsonTensorReader.requireDouble(parser,
            parser.getDoubleValue(), "\"" + field + "\"");
        default -> { }
      }
      if (depth == 0) {
        return;
      }
      token = parser.nextToken();
      if (token == null) {
        throw badRequest("the request ends inside \"" + field + "\"");
      }
    }
  }

  /** Row format: a list of values (key null) or a list of objects keyed by input name. */
  private static Map<String, JsonTensor> readInstances(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw badRequest("\"instances\" must be a list (one element per example), got "
          + describe(parser.currentToken()));
    }
    JsonToken first = parser.nextToken();
    if (first == JsonToken.END_ARRAY) {
      throw badRequest("\"instances\" is an empty list; send at least one example");
    }
    Map<String, JsonTensorReader> readers = new LinkedHashMap<>();
    // As TensorFlow Serving: element 0 decides. {"b64": "..."} alone is a value, not an input
    // named b64; the parser may already be past it (firstBase64 holds it then).
    String firstBase64 = null;
    String firstKey = null;
    if (first == JsonToken.START_OBJECT && parser.nextToken() == JsonToken.FIELD_NAME) {
      firstKey = parser.currentName();
      if (parser.nextToken() == JsonToken.VALUE_STRING && firstKey.equals("b64")) {
        String text = parser.getText();
        if (parser.nextToken() == JsonToken.END_OBJECT) {
          firstBase64 = text;
        } else {
          // An input named b64 after all: its value is read below from the text.
          JsonTensorReader reader = JsonTensorReader.stackedByKey("'instances'", firstKey);
          reader.string(text);
          readers.put(firstKey, reader);
          firstKey = null;
        }
      }
    }
    if (first != JsonToken.START_OBJECT || firstBase64 != null) {
      JsonTensorReader reader = JsonTensorReader.stacked("'instances'");
      readers.put(null, reader);
      int index = 0;
      JsonToken t = first;
      if (firstBase64 != null) {
        reader.base64(firstBase64);
        t = parser.nextToken();
        index++;
      }
      for (; t != JsonToken.END_ARRAY; t = parser.nextToken(), index++) {
        reader.readElement(parser);
      }
    } else {
      Set<String> keys = null;
      int index = 0;
      for (JsonToken t = first; t != JsonToken.END_ARRAY; t = parser.nextToken(), index++) {
        if (t != JsonToken.START_OBJECT) {
          throw badRequest("'instances' mixes objects and values: element " + index
              + " is not an object but element 0 is");
        }
        Set<String> seen = new TreeSet<>();
        if (index == 0) {
          readers.keySet().forEach(seen::add);
        }
        // Element 0's first key was read above, and its value may already be consumed.
        JsonToken field = index == 0 ? parser.currentToken() : parser.nextToken();
        for (; field == JsonToken.FIELD_NAME || (index == 0 && firstKey != null);
            field = parser.nextToken()) {
          String input;
          if (index == 0 && firstKey != null) {
            input = firstKey; // the parser is on its value
            firstKey = null;
          } else {
            input = parser.currentName();
            parser.nextToken();
          }
          seen.add(input);
          JsonTensorReader reader = readers.get(input);
          if (reader == null) {
            if (index > 0) {
              throw badRequest("'instances'[" + index + "] has input '" + input
                  + "' that element 0 does not have; every element needs the same inputs");
            }
            reader = JsonTensorReader.stackedByKey("'instances'", input);
            readers.put(input, reader);
          }
          reader.readElement(parser);
        }
        if (keys == null) {
          keys = seen;
        } else if (!keys.equals(seen)) {
          throw badRequest("'instances'[" + index + "] has inputs " + seen + " but element 0 has "
              + keys + "; every element needs the same inputs");
        }
      }
    }
    Map<String, JsonTensor> tensors = new LinkedHashMap<>();
    readers.forEach((input, reader) -> tensors.put(input, reader.finish()));
    return tensors;
  }

  private static Map<String, JsonTensor> readInputsObject(JsonParser parser) throws IOException {
    Map<String, JsonTensor> tensors = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String input = parser.currentName();
      parser.nextToken();
      tensors.put(input, readOne(parser, "'inputs'." + input));
    }
    return tensors;
  }

  private static JsonTensor readOne(JsonParser parser, String name) throws IOException {
    JsonTensorReader reader = JsonTensorReader.single(name);
    reader.readElement(parser);
    return reader.finish();
  }

  /**
   * The request's tensors as the signature's inputs, converted to their dtypes.
   *
   * @throws PredictionException (a bad request) for a missing or unknown input or a value that
   *     does not fit its dtype (shapes are checked by {@link Predictor})
   */
  Map<String, NdValue> inputsFor(SignatureSpec signature) {
    Map<String, TensorSpec> specs = signature.inputs();
    Map<String, NdValue> values = new LinkedHashMap<>();
    if (unnamed != null) {
      if (specs.size() != 1) {
        throw badRequest((format == Format.ROW ? "'instances' is a list of values" : "'inputs' is "
            + "a single value") + ", but signature '" + signature.key() + "' has "
            + specs.size() + " inputs " + specs.keySet() + ": "
            + (format == Format.ROW ? "send a list of objects keyed by input name"
                : "send an object keyed by input name"));
      }
      TensorSpec only = specs.values().iterator().next();
      values.put(only.key(), unnamed.toNdValue(only));
      return values;
    }
    for (String key : named.keySet()) {
      if (!specs.containsKey(key)) {
        throw badRequest("signature '" + signature.key() + "' has no input '" + key
            + "'; its inputs are " + specs.keySet());
      }
    }
    for (TensorSpec spec : specs.values()) {
      JsonTensor tensor = named.get(spec.key());
      if (tensor == null) {
        throw badRequest("missing input '" + spec.key() + "' (" + spec.describe()
            + ") of signature '" + signature.key() + "'");
      }
      values.put(spec.key(), tensor.toNdValue(spec));
    }
    return values;
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }
}
