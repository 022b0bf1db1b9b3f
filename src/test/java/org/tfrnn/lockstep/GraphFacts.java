package org.tfrnn.lockstep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;
import org.tfrnn.tensors.NdValue;

/**
 * What a graph is made of, in the form python/graph_facts.py writes for Python's graphs: every
 * variable (TF1 name, dtype, shape) and the count of each op type on the loss's forward path (the
 * ops the loss depends on through data edges, itself included).
 *
 * @param variables TF1 name to "float32[156, 512]"
 */
record GraphFacts(Map<String, String> variables, Map<String, Integer> forwardOpTypes) {

  /** The facts of a Java graph whose loss is the op named {@code lossOp}. */
  static GraphFacts of(Graph graph, String lossOp) {
    GraphDef graphDef = graph.toGraphDef();
    Map<String, NodeDef> nodes = new HashMap<>();
    Map<String, String> variables = new TreeMap<>();
    for (NodeDef node : graphDef.getNodeList()) {
      nodes.put(node.getName(), node);
      if (node.getOp().equals("VariableV2")) {
        variables.put(node.getName(), describe(
            NdValue.dtypeName(node.getAttrOrThrow("dtype").getType()),
            dims(node.getAttrOrThrow("shape").getShape())));
      }
    }
    if (!nodes.containsKey(lossOp)) {
      throw new IllegalArgumentException("the graph has no op named " + lossOp);
    }
    Set<String> seen = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>(List.of(lossOp));
    Map<String, Integer> types = new TreeMap<>();
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (!seen.add(name)) {
        continue;
      }
      NodeDef node = nodes.get(name);
      types.merge(node.getOp(), 1, Integer::sum);
      for (String input : node.getInputList()) {
        if (!input.startsWith("^")) {  // data edges only, as in Python's op.inputs
          int colon = input.indexOf(':');
          pending.push(colon < 0 ? input : input.substring(0, colon));
        }
      }
    }
    return new GraphFacts(variables, types);
  }

  /** The facts python/graph_facts.py wrote (or lockstep.py's "graph" entry). */
  static GraphFacts of(JsonNode json) {
    Map<String, String> variables = new TreeMap<>();
    json.get("variables").fields().forEachRemaining(e -> {
      List<Long> shape = new ArrayList<>();
      e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
      variables.put(e.getKey(), describe(e.getValue().get("dtype").asText(),
          shape.stream().mapToLong(Long::longValue).toArray()));
    });
    Map<String, Integer> types = new TreeMap<>();
    json.get("forward_op_types").fields()
        .forEachRemaining(e -> types.put(e.getKey(), e.getValue().asInt()));
    return new GraphFacts(variables, types);
  }

  static GraphFacts read(Path json) throws IOException {
    return of(new ObjectMapper().readTree(json.toFile()));
  }

  /** Op type to (this count − other's count), for every type whose counts differ. */
  Map<String, Integer> opCountsMinus(GraphFacts other) {
    Set<String> all = new TreeSet<>(forwardOpTypes.keySet());
    all.addAll(other.forwardOpTypes.keySet());
    Map<String, Integer> difference = new TreeMap<>();
    for (String type : all) {
      int delta = forwardOpTypes.getOrDefault(type, 0) - other.forwardOpTypes.getOrDefault(type, 0);
      if (delta != 0) {
        difference.put(type, delta);
      }
    }
    return difference;
  }

  private static long[] dims(TensorShapeProto shape) {
    return shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  private static String describe(String dtype, long[] shape) {
    return dtype + java.util.Arrays.toString(shape);
  }
}
