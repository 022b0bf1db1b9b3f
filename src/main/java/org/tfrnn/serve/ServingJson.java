package org.tfrnn.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
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
   * A {@code GetModelMetadataResponse}: the model spec and every signature of the MetaGraph, as
   * TensorFlow Serving lists them (internal ones such as {@code __saved_model_init_op} included).
   */
  static byte[] metadata(String modelName, long version, Map<String, SignatureDef> signatures) {
    ObjectNode root = MAPPER.createObjectNode();
    root.putObject("model_spec")
        .put("name", modelName)
        .put("signature_name", "")
        .put("version", Long.toString(version));
    ObjectNode defs = root.putObject("metadata").putObject("signature_def")
        .putObject("signature_def");
    signatures.forEach((key, signature) -> {
      ObjectNode def = defs.putObject(key);
      ObjectNode inputs = def.putObject("inputs");
      new TreeMap<>(signature.getInputsMap()).forEach((k, t) -> inputs.set(k, tensorInfo(t)));
      ObjectNode outputs = def.putObject("outputs");
      new TreeMap<>(signature.getOutputsMap()).forEach((k, t) -> outputs.set(k, tensorInfo(t)));
      def.put("method_name", signature.getMethodName());
      ObjectNode defaults = def.putObject("defaults");
      // Default values are rare (TF 2.15+); their dtype and shape are listed, not the values.
      new TreeMap<>(signature.getDefaultsMap()).forEach((k, t) -> defaults.putObject(k)
          .put("dtype", t.getDtype().name()).set("tensor_shape", tensorShape(t.getTensorShape())));
    });
    return bytes(root);
  }

  /** A {@code TensorInfo} as protobuf's JSON writes it: fields that are not set are left out. */
  private static ObjectNode tensorInfo(TensorInfo tensor) {
    ObjectNode info = MAPPER.createObjectNode();
    info.put("dtype", tensor.getDtype().name());
    if (tensor.hasTensorShape()) {
      info.set("tensor_shape", tensorShape(tensor.getTensorShape()));
    }
    if (tensor.getEncodingCase() == TensorInfo.EncodingCase.NAME) {
      info.put("name", tensor.getName());
    }
    return info;
  }

  private static ObjectNode tensorShape(TensorShapeProto shape) {
    ObjectNode json = MAPPER.createObjectNode();
    ArrayNode dims = json.putArray("dim");
    for (TensorShapeProto.Dim dim : shape.getDimList()) {
      dims.addObject().put("size", Long.toString(dim.getSize())).put("name", dim.getName());
    }
    json.put("unknown_rank", shape.getUnknownRank());
    return json;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // cannot happen for a tree
    }
  }
}
