package org.tfrnn.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.tensors.NdValue;

/**
 * Writes a signature's outputs as TensorFlow Serving's {@code :predict} response:
 *
 * <ul>
 *   <li>for a row-format request, {@code {"predictions": [...]}} with one element per example: the
 *       output's value for it if the signature has one output, else an object keyed by output;
 *   <li>for a columnar request, {@code {"outputs": value}} for one output, else an object of whole
 *       tensors keyed by output.
 * </ul>
 *
 * Integers are written as integers and floats as the shortest decimal that reads back as the same
 * float ({@code 1.0}, never {@code 1}); NaN and infinities as the bare tokens {@code NaN},
 * {@code Infinity} and {@code -Infinity}, as TensorFlow Serving writes them. Strings are written as
 * JSON strings (their bytes read as UTF-8), except for outputs whose key ends in {@code _bytes},
 * whose elements are written as {@code {"b64": "<base64>"}} (TensorFlow Serving's naming rule).
 */
final class PredictResponseJson {
  static final JsonFactory JSON = JsonFactory.builder()
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build();

  /** Suffix of the output keys whose strings are bytes, written in base64. */
  static final String BYTES_SUFFIX = "_bytes";

  private PredictResponseJson() {}

  /**
   * Refuses, before the model runs, a signature whose outputs this writer cannot write: a 400
   * with TensorFlow Serving's message ("Failed to write JSON value for tensor type: DT_HALF").
   */
  static void requireWritable(SignatureSpec signature) {
    for (TensorSpec output : signature.outputs().values()) {
      switch (output.dtype()) {
        case DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_BOOL, DT_STRING -> { }
        default -> throw PredictionException.badRequest("Failed to write JSON value for tensor "
            + "type: " + output.dtype() + " (output '" + output.key() + "' of signature '"
            + signature.key() + "'; this server writes float32, float64, int32, int64, bool and "
            + "string outputs as JSON)");
      }
    }
  }

  /**
   * Writes the response.
   *
   * @throws PredictionException (a bad request, which the columnar format answers) if a
   *     row-format answer is impossible: an output is a scalar, or the outputs disagree on the
   *     batch size
   */
  static void write(Map<String, NdValue> outputs, PredictRequestJson.Format format,
      OutputStream out) {
    if (outputs.isEmpty()) {
      throw PredictionException.modelFailed("the signature has no outputs to answer with");
    }
    if (format == PredictRequestJson.Format.ROW) {
      checkBatched(outputs);
    }
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      if (format == PredictRequestJson.Format.ROW) {
        json.writeFieldName("predictions");
        writeRows(json, outputs);
      } else {
        json.writeFieldName("outputs");
        writeColumns(json, outputs);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkBatched(Map<String, NdValue> outputs) {
    long batch = -1;
    for (Map.Entry<String, NdValue> output : outputs.entrySet()) {
      NdValue value = output.getValue();
      if (value.rank() == 0) {
        throw PredictionException.badRequest("output '" + output.getKey() + "' is a scalar, "
            + "which has no row per example: send the request in the columnar format (\"inputs\")");
      }
      if (batch >= 0 && value.dim(0) != batch) {
        throw PredictionException.badRequest("output '" + output.getKey() + "' has " + value.dim(0)
            + " rows where the other outputs have " + batch + ": send the request in the "
            + "columnar format (\"inputs\")");
      }
      batch = value.dim(0);
    }
  }

  private static void writeRows(JsonGenerator json, Map<String, NdValue> outputs)
      throws IOException {
    long rows = outputs.values().iterator().next().dim(0);
    boolean keyed = outputs.size() > 1;
    json.writeStartArray();
    for (long row = 0; row < rows; row++) {
      if (keyed) {
        json.writeStartObject();
      }
      for (Map.Entry<String, NdValue> output : outputs.entrySet()) {
        if (keyed) {
          json.writeFieldName(output.getKey());
        }
        NdValue value = output.getValue();
        int rowSize = Math.toIntExact(value.size() / value.dim(0));
        writeNested(json, value, isBytes(output.getKey()), 1, Math.toIntExact(row * rowSize));
      }
      if (keyed) {
        json.writeEndObject();
      }
    }
    json.writeEndArray();
  }

  private static void writeColumns(JsonGenerator json, Map<String, NdValue> outputs)
      throws IOException {
    if (outputs.size() == 1) {
      Map.Entry<String, NdValue> only = outputs.entrySet().iterator().next();
      writeNested(json, only.getValue(), isBytes(only.getKey()), 0, 0);
      return;
    }
    json.writeStartObject();
    for (Map.Entry<String, NdValue> output : outputs.entrySet()) {
      json.writeFieldName(output.getKey());
      writeNested(json, output.getValue(), isBytes(output.getKey()), 0, 0);
    }
    json.writeEndObject();
  }

  private static boolean isBytes(String outputKey) {
    return outputKey.endsWith(BYTES_SUFFIX);
  }

  /**
   * Writes the part of {@code value} that starts at flat index {@code offset} and spans
   * dimensions {@code fromDim..rank-1} as nested lists (a bare value if there are none).
   *
   * @param bytes whether strings are written as {@code {"b64": ...}}
   * @return the flat index after it
   */
  static int writeNested(JsonGenerator json, NdValue value, boolean bytes, int fromDim,
      int offset) throws IOException {
    int rank = value.rank();
    if (fromDim == rank) {
      writeElement(json, value, bytes, offset);
      return offset + 1;
    }
    long size = value.dim(fromDim);
    json.writeStartArray();
    if (fromDim == rank - 1) {
      for (int i = 0; i < size; i++) {
        writeElement(json, value, bytes, offset + i);
      }
      offset += (int) size;
    } else {
      for (int i = 0; i < size; i++) {
        offset = writeNested(json, value, bytes, fromDim + 1, offset);
      }
    }
    json.writeEndArray();
    return offset;
  }

  private static void writeElement(JsonGenerator json, NdValue value, boolean bytes, int i)
      throws IOException {
    switch (value.dtype()) {
      case DT_FLOAT -> json.writeNumber(value.floats()[i]);
      case DT_DOUBLE -> json.writeNumber(value.doubles()[i]);
      case DT_INT32 -> json.writeNumber(value.ints()[i]);
      case DT_INT64 -> json.writeNumber(value.longs()[i]);
      case DT_BOOL -> json.writeBoolean(value.booleans()[i]);
      case DT_STRING -> {
        byte[] element = value.strings()[i];
        if (bytes) {
          json.writeStartObject();
          json.writeStringField("b64", Base64.getEncoder().encodeToString(element));
          json.writeEndObject();
        } else {
          json.writeString(new String(element, StandardCharsets.UTF_8));
        }
      }
      default -> throw new IllegalStateException("unsupported output dtype " + value);
    }
  }
}
