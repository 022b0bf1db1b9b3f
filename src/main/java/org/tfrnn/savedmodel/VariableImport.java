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
import org.tensorflow.op.core.Assign;
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
    ModelVersions.requireVariablesIfNeeded(model);
    List<Tensor> values = new ArrayList<>();
    try {
      try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), "serve")) {
        for (Variable<TFloat32> variable : variables) {
          values.add(read(bundle, variable.op().name(), variable.shape(), model));
        }
      } catch (org.tensorflow.exceptions.TensorFlowException e) {
        throw new IOException("cannot load the SavedModel at " + model + ": " + e.getMessage(), e);
      }
      List<GraphOperation> targets = new ArrayList<>();
      variables.forEach(v -> targets.add((GraphOperation) v.op()));
      assign(session, targets, values);
    } finally {
      values.forEach(Tensor::close);
    }
    return "Restored " + variables.size() + " variables by name from " + model;
  }

  /**
   * Gives every variable of {@code target}'s graph the value of the variable with the same name in
   * {@code source}'s, e.g. the same model built in other batch lanes; returns how many. As {@link
   * #restore}, it adds no op to the target graph.
   *
   * @throws IllegalArgumentException if the source lacks a variable or has it in another dtype or
   *     shape (nothing is assigned then)
   */
  public static int copy(Session source, Graph sourceGraph, Session target, Graph targetGraph) {
    List<GraphOperation> variables = new ArrayList<>();
    targetGraph.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        variables.add((GraphOperation) op);
      }
    });
    Session.Runner fetch = source.runner();
    for (GraphOperation variable : variables) {
      GraphOperation from = sourceGraph.operation(variable.name());
      if (from == null || !from.type().equals("VariableV2")
          || from.output(0).dataType() != variable.output(0).dataType()
          || !from.output(0).shape().equals(variable.output(0).shape())) {
        throw new IllegalArgumentException("cannot copy variable '" + variable.name() + "' "
            + variable.output(0).dataType() + " " + variable.output(0).shape()
            + ": the source graph has " + (from == null ? "no such op"
                : from.type() + " " + from.output(0).dataType() + " " + from.output(0).shape()));
      }
      fetch.fetch(from.output(0));
    }
    if (variables.isEmpty()) {
      return 0;
    }
    try (Result values = fetch.run()) {
      List<Tensor> fetched = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        fetched.add(values.get(i));
      }
      assign(target, variables, fetched);
      return variables.size();
    }
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
      return ownedCopy(floats);
    }
  }

  /** A new tensor holding {@code source}'s values, owned by the caller (closed if the copy fails). */
  static TFloat32 ownedCopy(TFloat32 source) {
    TFloat32 owned = TFloat32.tensorOf(source.shape());
    try {
      source.copyTo(owned);
      return owned;
    } catch (RuntimeException | Error e) {
      owned.close();
      throw e;
    }
  }

  /**
   * Runs each variable's own initializer with the imported value fed in place of its initial value
   * (a session may feed any tensor). No op is added to the graph, so nothing of the restore ends up
   * in a SavedModel exported later.
   */
  private static void assign(Session session, List<GraphOperation> variables,
      List<Tensor> values) {
    Session.Runner runner = session.runner();
    for (int i = 0; i < variables.size(); i++) {
      GraphOperation initializer = initializerOf(variables.get(i));
      runner.feed(initializer.input(1), values.get(i));
      runner.addTarget(initializer);
    }
    try (Result ignored = runner.run()) {
      // assignments only
    }
  }

  /** TF1's {@code <variable>/Assign}: assigns input 1, the initial value, to input 0, the variable. */
  private static GraphOperation initializerOf(GraphOperation variable) {
    String name = variable.name() + "/" + Assign.OP_NAME;
    GraphOperation assign = variable.env().operation(name);
    if (assign == null || !assign.type().equals(Assign.OP_NAME)
        || !assign.input(0).equals(variable.output(0))) {
      throw new IllegalArgumentException("variable '" + variable.name()
          + "' has no initializer '" + name + "' as TF1 creates it, so it cannot be restored");
    }
    return assign;
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
