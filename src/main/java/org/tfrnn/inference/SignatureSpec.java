package org.tfrnn.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Signature;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;

/** A SavedModel signature: its key, method and typed inputs and outputs, read from the model. */
public record SignatureSpec(
    String key, String methodName, Map<String, TensorSpec> inputs,
    Map<String, TensorSpec> outputs) {

  public static final String DEFAULT_KEY = Signature.DEFAULT_KEY;

  /** Signatures meant for callers, sorted by key; internal ones ({@code __saved_model_init_op}) left out. */
  public static List<SignatureSpec> of(MetaGraphDef metaGraph) {
    List<SignatureSpec> specs = new ArrayList<>();
    new TreeMap<>(metaGraph.getSignatureDefMap()).forEach((key, def) -> {
      if (!key.startsWith("__")) {
        specs.add(of(key, def));
      }
    });
    return specs;
  }

  static SignatureSpec of(String key, SignatureDef def) {
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    new TreeMap<>(def.getInputsMap()).forEach((k, info) -> inputs.put(k, TensorSpec.of(k, info)));
    Map<String, TensorSpec> outputs = new LinkedHashMap<>();
    new TreeMap<>(def.getOutputsMap()).forEach((k, info) -> outputs.put(k, TensorSpec.of(k, info)));
    return new SignatureSpec(key, def.getMethodName(), Collections.unmodifiableMap(inputs),
        Collections.unmodifiableMap(outputs));
  }

  /** One line per input and output, as {@code saved_model_cli show} lists them. */
  public String describe() {
    StringBuilder s = new StringBuilder("signature '" + key + "' (method '" + methodName + "')");
    inputs.values().forEach(t -> s.append("\n  input  ").append(t.key()).append(": ")
        .append(t.describe()).append("  (").append(t.tensorName()).append(')'));
    outputs.values().forEach(t -> s.append("\n  output ").append(t.key()).append(": ")
        .append(t.describe()).append("  (").append(t.tensorName()).append(')'));
    return s.toString();
  }
}
