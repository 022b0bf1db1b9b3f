package org.tfrnn.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.inference.VersionStatus;

/**
 * The JSON of TensorFlow Serving's status, metadata and error answers, shaped as its protobuf
 * JSON mapping writes them (snake_case names, int64 values such as versions and dimension sizes
 * as strings, enum values by name).
 */
final class ServingJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ServingJson() {}

  /** {@code {"error": "..."}}. */
  static byte[] error(String message) {
    return bytes(MAPPER.createObjectNode().put("error", message));
  }

  /** A {@code GetModelStatusResponse}: {@code {"model_version_status": [...]}}. */
  static byte[] status(List<VersionStatus> versions) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode list = root.putArray("model_version_status");
    for (VersionStatus version : versions) {
      ObjectNode entry = list.addObject();
      entry.put("version", Long.toString(version.version()));
      entry.put("state", version.state());
      entry.putObject("status")
          .put("error_code", version.errorCode())
          .put("error_message", version.errorMessage());
    }
    return bytes(root);
  }

  /**
   * A {@code GetModelMetadataResponse}: the model spec and every signature meant for callers
   * (TensorFlow Serving also lists internal ones such as {@code __saved_model_init_op}).
   */
  static byte[] metadata(String modelName, long version, List<SignatureSpec> signatures) {
    ObjectNode root = MAPPER.createObjectNode();
    root.putObject("model_spec")
        .put("name", modelName)
        .put("signature_name", "")
        .put("version", Long.toString(version));
    ObjectNode defs = root.putObject("metadata").putObject("signature_def")
        .putObject("signature_def");
    for (SignatureSpec signature : signatures) {
      ObjectNode def = defs.putObject(signature.key());
      ObjectNode inputs = def.putObject("inputs");
      signature.inputs().values().forEach(t -> inputs.set(t.key(), tensorInfo(t)));
      ObjectNode outputs = def.putObject("outputs");
      signature.outputs().values().forEach(t -> outputs.set(t.key(), tensorInfo(t)));
      def.put("method_name", signature.methodName());
    }
    return bytes(root);
  }

  private static ObjectNode tensorInfo(TensorSpec tensor) {
    ObjectNode info = MAPPER.createObjectNode();
    info.put("dtype", tensor.dtype().name());
    ObjectNode shape = info.putObject("tensor_shape");
    ArrayNode dims = shape.putArray("dim");
    long[] sizes = tensor.dims();
    if (sizes != null) {
      for (long size : sizes) {
        dims.addObject().put("size", Long.toString(size)).put("name", "");
      }
    }
    shape.put("unknown_rank", sizes == null);
    info.put("name", tensor.tensorName());
    return info;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // cannot happen for a tree
    }
  }
}
