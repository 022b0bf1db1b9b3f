package org.tfrnn.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.ModelSpec;
import org.tfrnn.models.Presets;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.tensors.Tensors;

class VariableImportTest {
  /** Notebook 003's model, made small: the same ops and names, fewer numbers. */
  private static final ModelSpec SMALL = Presets.named("notebook-003").model().toBuilder()
      .timeSteps(3).inputSize(4).units(5).build();

  /**
   * The copy of a variable's value is released when filling it fails: the source below throws
   * from {@code copyTo}, after the destination tensor has been allocated and handed to it.
   */
  @Test
  void theCopyIsClosedWhenCopyingFails() {
    AtomicReference<TFloat32> destination = new AtomicReference<>();
    TFloat32 failingSource = (TFloat32) Proxy.newProxyInstance(TFloat32.class.getClassLoader(),
        new Class<?>[] {TFloat32.class}, (proxy, method, args) -> switch (method.getName()) {
          case "shape" -> Shape.of(2, 3);
          case "copyTo" -> {
            destination.set((TFloat32) args[0]);
            throw new IllegalStateException("forced copy failure");
          }
          default -> throw new UnsupportedOperationException(method.getName());
        });

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> VariableImport.ownedCopy(failingSource));
    assertEquals("forced copy failure", e.getMessage());
    assertNotNull(destination.get(), "the copy was allocated before copyTo ran");
    // A closed tensor refuses to hand out its native data ("close() was called on the Tensor").
    assertThrows(IllegalStateException.class, () -> destination.get().asRawTensor().data(),
        "the tensor allocated for the copy is still open: it leaks");
  }

  /**
   * Restoring copies every trainable variable's value and adds nothing to the graph, so a model
   * exported after a restore holds exactly the ops of one exported without it.
   */
  @Test
  void restoreCopiesTheValuesAndLeavesNoOpsInTheExport(@TempDir Path tmp) throws IOException {
    Path source;
    List<float[]> sourceValues;
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, SMALL);
      sourceValues = values(session, model.trainableVariables());
      source = ModelExporter.exportNextVersion(session, ServingSignatures.of(model), tmp.resolve("a"));
    }

    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      ModelGraph model = ModelBuilder.build(graph, SMALL.withSeed(7));
      TreeSet<String> opsAsBuilt = opNames(graph);
      assertFalse(arraysEqual(sourceValues, values(session, model.trainableVariables())),
          "a different seed starts from different values");

      String summary = VariableImport.restore(session, model.trainableVariables(), source);

      assertEquals("Restored 4 variables by name from " + source, summary);
      List<float[]> restored = values(session, model.trainableVariables());
      for (int i = 0; i < restored.size(); i++) {
        assertArrayEquals(sourceValues.get(i), restored.get(i),
            model.trainableVariables().get(i).op().name());
      }
      assertSameNames(opsAsBuilt, opNames(graph), "the training graph after the restore");
      Path exported =
          ModelExporter.exportNextVersion(session, ServingSignatures.of(model), tmp.resolve("b"));
      assertSameNames(exportedNodeNames(source), exportedNodeNames(exported),
          "the model exported after the restore");
    }
  }

  /**
   * A graph built in two batch lanes hands its variables (optimizer slots and counters included)
   * to the one-lane graph of the same model, which then computes the same logits; a variable the
   * source lacks is refused by name.
   */
  @Test
  void copyHandsEveryVariableToTheOneLaneGraph() {
    float[] images = new float[2 * 3 * 4];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) Math.sin(i);
    }
    try (Graph lanesGraph = new Graph(); Session lanes = new Session(lanesGraph);
        Graph oneGraph = new Graph(); Session one = new Session(oneGraph)) {
      ModelGraph source = ModelBuilder.build(lanesGraph, SMALL.withSeed(7), 2);
      ModelGraph target = ModelBuilder.build(oneGraph, SMALL, 1);
      lanes.initialize();
      one.initialize();
      List<float[]> sourceValues = values(lanes, source.trainableVariables());
      assertFalse(arraysEqual(sourceValues, values(one, target.trainableVariables())),
          "a different seed starts from different values");

      int copied = VariableImport.copy(lanes, lanesGraph, one, oneGraph);

      // The 4 trainables, their 8 Adam slots, beta1_power and beta2_power.
      assertEquals(14, copied);
      List<float[]> copiedValues = values(one, target.trainableVariables());
      for (int i = 0; i < copiedValues.size(); i++) {
        assertArrayEquals(sourceValues.get(i), copiedValues.get(i),
            target.trainableVariables().get(i).op().name());
      }
      float[] expected = logits(lanes, source, images);
      float[] actual = logits(one, target, images);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-5, "logit " + i);
      }
    }
    try (Graph small = new Graph(); Session smallSession = new Session(small);
        Graph wide = new Graph(); Session wideSession = new Session(wide)) {
      ModelBuilder.build(small, SMALL, 1);
      ModelBuilder.build(wide, SMALL.toBuilder().units(6).build(), 1);
      smallSession.initialize();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> VariableImport.copy(smallSession, small, wideSession, wide));
      assertEquals("cannot copy variable 'Variable' DT_FLOAT_REF [6, 10]: the source graph has "
          + "VariableV2 DT_FLOAT_REF [5, 10]", e.getMessage());
    }
  }

  private static float[] logits(Session session, ModelGraph model, float[] images) {
    try (var x = Tensors.floats(images, 2, 3, 4);
        Result result = session.runner().feed(model.images(), x).fetch(model.logits()).run()) {
      return Tensors.toFloatArray(result.get(0));
    }
  }

  /** Names only one side has, so a failure lists the few extra ops, not all of them. */
  private static void assertSameNames(TreeSet<String> expected, TreeSet<String> actual,
      String what) {
    TreeSet<String> added = new TreeSet<>(actual);
    added.removeAll(expected);
    TreeSet<String> missing = new TreeSet<>(expected);
    missing.removeAll(actual);
    assertEquals("", (added.isEmpty() ? "" : "added " + added)
        + (missing.isEmpty() ? "" : " missing " + missing), what);
  }

  private static List<float[]> values(Session session, List<Variable<TFloat32>> variables) {
    Session.Runner runner = session.runner();
    variables.forEach(runner::fetch);
    try (Result result = runner.run()) {
      return Tensors.toFloatArrays(result);
    }
  }

  private static boolean arraysEqual(List<float[]> a, List<float[]> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static TreeSet<String> opNames(Graph graph) {
    TreeSet<String> names = new TreeSet<>();
    graph.operations().forEachRemaining(op -> names.add(op.name()));
    return names;
  }

  private static TreeSet<String> exportedNodeNames(Path savedModelDir) throws IOException {
    SavedModel savedModel =
        SavedModel.parseFrom(Files.readAllBytes(savedModelDir.resolve("saved_model.pb")));
    assertEquals(1, savedModel.getMetaGraphsCount());
    TreeSet<String> names = new TreeSet<>();
    for (NodeDef node : savedModel.getMetaGraphs(0).getGraphDef().getNodeList()) {
      names.add(node.getName());
    }
    return names;
  }
}
