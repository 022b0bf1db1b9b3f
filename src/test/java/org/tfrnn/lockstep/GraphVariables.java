package org.tfrnn.lockstep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;
import org.tfrnn.tensors.NdValue;

/**
 * Every variable of a graph (model weights, optimizer slots, beta powers, global step) by TF1 name:
 * set them all from values, read them all back. The assignment ops are built when this is made,
 * before any session runs the graph.
 */
final class GraphVariables {
  private final Map<String, Operand<?>> variables = new LinkedHashMap<>();
  private final Map<String, Placeholder<?>> values = new LinkedHashMap<>();
  private final List<Op> assignments = new ArrayList<>();
  private final Map<String, DataType> dtypes = new LinkedHashMap<>();

  GraphVariables(Graph graph) {
    Ops tf = Ops.create(graph).withSubScope("lockstep");
    for (NodeDef node : graph.toGraphDef().getNodeList()) {
      if (node.getOp().equals("VariableV2")) {
        DataType dtype = node.getAttrOrThrow("dtype").getType();
        Operand<?> variable = graph.operation(node.getName()).output(0);
        variables.put(node.getName(), variable);
        dtypes.put(node.getName(), dtype);
        Placeholder<?> value = tf.placeholder(typeOf(dtype, node.getName()));
        values.put(node.getName(), value);
        assignments.add(assign(tf, variable, value));
      }
    }
  }

  /** TF1 names in graph order. */
  List<String> names() {
    return List.copyOf(variables.keySet());
  }

  /** Sets every variable; {@code values} must hold each by name, with its dtype and shape. */
  void assignAll(Session session, Map<String, NdValue> given) {
    List<Tensor> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (String name : variables.keySet()) {
        NdValue value = given.get(name);
        if (value == null) {
          throw new IllegalArgumentException("no value for variable " + name);
        }
        if (value.dtype() != dtypes.get(name)) {
          throw new IllegalArgumentException(name + " is " + NdValue.dtypeName(dtypes.get(name))
              + ", the value is " + NdValue.dtypeName(value.dtype()));
        }
        Tensor tensor = value.toTensor();
        tensors.add(tensor);
        runner.feed(values.get(name), tensor);
      }
      assignments.forEach(runner::addTarget);
      try (Result ignored = runner.run()) {
        // assignments only
      }
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  /** The current value of every variable, by TF1 name. */
  Map<String, NdValue> readAll(Session session) {
    Session.Runner runner = session.runner();
    variables.values().forEach(runner::fetch);
    Map<String, NdValue> read = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      int i = 0;
      for (String name : variables.keySet()) {
        read.put(name, NdValue.of(result.get(i++)));
      }
    }
    return read;
  }

  private static Class<? extends TType> typeOf(DataType dtype, String name) {
    return switch (dtype) {
      case DT_FLOAT -> TFloat32.class;
      case DT_INT32 -> TInt32.class;
      case DT_INT64 -> TInt64.class;
      default -> throw new IllegalArgumentException(name + ": unsupported dtype " + dtype);
    };
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> Op assign(Ops tf, Operand<?> variable, Placeholder<?> value) {
    return tf.assign((Operand<T>) variable, (Operand<T>) value);
  }
}
