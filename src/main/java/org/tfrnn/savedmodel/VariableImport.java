package org.tfrnn.savedmodel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Starts a graph's variables from another model's: each variable takes the value of the variable
 * with the same TF1 name in a SavedModel (a Python notebook's, or one of ours). Names, shapes and
 * dtypes are checked before anything is assigned, so a mismatch changes nothing.
 */
public final class VariableImport {
  private VariableImport() {}

  /**
   * Copies the values into {@code session}'s variables and returns a one-line summary.
   *
   * @throws IOException if the model cannot be read or lacks a variable, with the names it has
   */
  public static String restore(Session session, List<Variable<TFloat32>> variables, Path modelDir)
      throws IOException {
    Path model = ModelVersions.resolve(modelDir);
    List<Tensor> values = new ArrayList<>();
    try {
      try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), "serve")) {
        for (Variable<TFloat32> variable : variables) {
          values.add(read(bundle, variable.op().name(), variable.shape(), model));
        }
      } catch (org.tensorflow.exceptions.TensorFlowException e) {
        throw new IOException("cannot load the SavedModel at " + model + ": " + e.getMessage(), e);
      }
      assign(session, variables, values);
    } finally {
      values.forEach(Tensor::close);
    }
    return "Restored " + variables.size() + " variables by name from " + model;
  }

  private static Tensor read(SavedModelBundle bundle, String name, Shape expectedShape, Path model)
      throws IOException {
    Graph graph = bundle.graph();
    GraphOperation op = graph.operation(name);
    Operand<?> value;
    if (op != null && op.type().equals("VariableV2")) {
      value = op.output(0);
    } else if (op != null && op.type().equals("VarHandleOp")) {
      value = Ops.create(graph).withSubScope("variable_import")
          .readVariableOp(op.output(0), TFloat32.class);
    } else {
      throw new IOException("the SavedModel at " + model + " has no variable named '" + name
          + "'; its variables are " + variableNames(graph));
    }
    try (Result result = bundle.session().runner().fetch(value).run()) {
      Tensor tensor = result.get(0);
      if (!(tensor instanceof TFloat32 floats) || !tensor.shape().equals(expectedShape)) {
        throw new IOException("variable '" + name + "' in " + model + " is " + tensor.dataType()
            + " " + tensor.shape() + ", but this graph needs DT_FLOAT " + expectedShape);
      }
      // The Result closes its tensors: keep a copy that the caller owns.
      TFloat32 owned = TFloat32.tensorOf(floats.shape());
      floats.copyTo(owned);
      return owned;
    }
  }

  private static void assign(Session session, List<Variable<TFloat32>> variables,
      List<Tensor> values) {
    Ops tf = Ops.create((Graph) variables.get(0).env()).withSubScope("variable_import");
    Session.Runner runner = session.runner();
    for (int i = 0; i < variables.size(); i++) {
      Placeholder<TFloat32> value = tf.placeholder(TFloat32.class);
      runner.addTarget(tf.assign(variables.get(i), value));
      runner.feed(value, values.get(i));
    }
    try (Result ignored = runner.run()) {
      // assignments only
    }
  }

  private static TreeSet<String> variableNames(Graph graph) {
    TreeSet<String> names = new TreeSet<>();
    graph.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2") || op.type().equals("VarHandleOp")) {
        names.add(op.name());
      }
    });
    return names;
  }
}
