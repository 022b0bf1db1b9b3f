package org.tfrnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Operands;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Saves and restores every variable of a graph by its TF1 name, with TensorFlow's {@code SaveV2}
 * and {@code RestoreV2} kernels: a prefix {@code P} becomes {@code P.index} and {@code
 * P.data-00000-of-00001}, the files {@code tf.compat.v1.train.Saver} writes. Beside the variables
 * a checkpoint can hold named int64 scalars that are not variables (a data position, say), fed at
 * save time and returned at restore time.
 *
 * <p>The ops are built once, under {@code checkpoint/}, when the saver is made: make it after the
 * last variable. Restoring reads the values first and checks every shape and dtype in Java before
 * anything is assigned, so a mismatched checkpoint changes nothing.
 */
public final class Tf1Saver {
  private static final String SCOPE = "checkpoint";

  private final List<Output<?>> variables = new ArrayList<>();
  private final List<String> extraNames;
  private final List<Placeholder<TInt64>> extraInputs = new ArrayList<>();
  private final Placeholder<TString> prefix;
  private final GraphOperation saveOp;
  private final Restore restore;
  private final List<Placeholder<?>> assignInputs = new ArrayList<>();
  private final List<GraphOperation> assignOps = new ArrayList<>();

  /**
   * @param extraNames names of the int64 scalars saved beside the variables; none may be the name
   *     of a variable
   */
  public Tf1Saver(Graph graph, List<String> extraNames) {
    List<GraphOperation> found = new ArrayList<>();
    graph.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        found.add(op);
      }
    });
    found.sort(Comparator.comparing(GraphOperation::name));
    if (found.isEmpty()) {
      throw new IllegalArgumentException("the graph has no variables to checkpoint");
    }
    this.extraNames = List.copyOf(extraNames);
    List<String> names = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (GraphOperation op : found) {
      variables.add(op.output(0));
      names.add(op.name());
      types.add(op.output(0).type());
    }
    for (String extra : extraNames) {
      if (names.contains(extra)) {
        throw new IllegalArgumentException("'" + extra + "' is already a variable of the graph");
      }
    }

    Ops tf = Ops.create(graph).withSubScope(SCOPE);
    prefix = tf.withName("filename").placeholder(TString.class);
    List<Operand<?>> saved = new ArrayList<>();
    variables.forEach(saved::add);
    for (int i = 0; i < extraNames.size(); i++) {
      Placeholder<TInt64> input = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      extraInputs.add(input);
      saved.add(input);
    }
    List<String> allNames = new ArrayList<>(names);
    allNames.addAll(extraNames);
    List<Class<? extends TType>> allTypes = new ArrayList<>(types);
    extraNames.forEach(n -> allTypes.add(TInt64.class));
    Operand<TString> nameTensor = tf.constant(StdArrays.ndCopyOf(allNames.toArray(new String[0])));
    Operand<TString> slices = tf.zerosLike(nameTensor);
    saveOp = (GraphOperation) tf.train.save(prefix, nameTensor, slices, saved).op();
    restore = tf.train.restore(prefix, nameTensor, slices, allTypes);
    Ops assignScope = tf.withSubScope("assign");
    for (Output<?> variable : variables) {
      addAssign(assignScope, variable);
    }
  }

  private <T extends TType> void addAssign(Ops scope, Output<T> variable) {
    Placeholder<T> value = scope.placeholder(variable.type(), Placeholder.shape(variable.shape()));
    assignInputs.add(value);
    assignOps.add((GraphOperation) scope.assign(variable, value).op());
  }

  /** The TF1 names of the variables saved, sorted. */
  public List<String> variableNames() {
    return variables.stream().map(v -> v.op().name()).toList();
  }

  /** Writes the variables and {@code extras} (one value per extra name) under {@code prefix}. */
  public void save(Session session, String prefix, Map<String, Long> extras) throws IOException {
    if (!extras.keySet().equals(new java.util.HashSet<>(extraNames))) {
      throw new IllegalArgumentException(
          "extras " + extras.keySet() + " must be exactly " + extraNames);
    }
    List<Tensor> owned = new ArrayList<>();
    try (TString name = TString.scalarOf(prefix)) {
      Session.Runner runner = session.runner().feed(this.prefix, name).addTarget(saveOp);
      for (int i = 0; i < extraNames.size(); i++) {
        TInt64 value = TInt64.scalarOf(extras.get(extraNames.get(i)));
        owned.add(value);
        runner.feed(extraInputs.get(i), value);
      }
      try (Result ignored = runner.run()) {
        // written
      } catch (TensorFlowException e) {
        throw new IOException("cannot write the checkpoint " + prefix + ": " + firstLine(e), e);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Assigns every variable its value in the checkpoint {@code prefix} and returns the extras.
   *
   * @throws IOException if the checkpoint is missing, unreadable, or lacks or mis-shapes a variable
   */
  public Map<String, Long> restore(Session session, String prefix) throws IOException {
    Path index = Path.of(prefix + ".index");
    if (Files.isRegularFile(index)) {
      try {
        CheckpointIndex.requireCompleteShards(index);
      } catch (IOException e) {
        throw new IOException("cannot read the checkpoint " + prefix + ": " + e.getMessage(), e);
      }
    }
    try (TString name = TString.scalarOf(prefix)) {
      Session.Runner reader = session.runner().feed(this.prefix, name);
      restore.tensors().forEach(reader::fetch);
      Result values;
      try {
        values = reader.run();
      } catch (TensorFlowException e) {
        throw new IOException("cannot read the checkpoint " + prefix + ": " + firstLine(e), e);
      }
      try (values) {
        Session.Runner assigner = session.runner();
        for (int i = 0; i < variables.size(); i++) {
          Output<?> variable = variables.get(i);
          Tensor value = values.get(i);
          if (!value.shape().equals(variable.shape()) || value.dataType() != Operands.toDataType(variable.type())) {
            throw new IOException("the checkpoint " + prefix + " holds '" + variable.op().name()
                + "' as " + value.dataType() + " " + value.shape() + ", but this graph needs "
                + Operands.toDataType(variable.type()) + " " + variable.shape());
          }
          assigner.feed(assignInputs.get(i), value).addTarget(assignOps.get(i));
        }
        try (Result ignored = assigner.run()) {
          // assigned
        }
        Map<String, Long> extras = new LinkedHashMap<>();
        for (int i = 0; i < extraNames.size(); i++) {
          Tensor value = values.get(variables.size() + i);
          if (!value.shape().equals(Shape.scalar())) {
            throw new IOException("the checkpoint " + prefix + " holds '" + extraNames.get(i)
                + "' with shape " + value.shape() + ", not a scalar");
          }
          extras.put(extraNames.get(i), ((TInt64) value).getObject());
        }
        return extras;
      }
    }
  }

  /** TensorFlow's messages carry a stack of op context after the first line. */
  static String firstLine(TensorFlowException e) {
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
