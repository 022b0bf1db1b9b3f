package org.tfrnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tfrnn.nn.Variables;
import org.tfrnn.tensors.Tensors;

class CheckpointManagerTest {

  /** A graph with two float variables named as TF1 names them, and setters for both. */
  private static final class Model implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session = new Session(graph);
    final Ops tf = Ops.create(graph);
    final Variable<TFloat32> kernel;
    final Variable<TFloat32> slot;
    final Placeholder<TFloat32> value;

    Model(Shape kernelShape) {
      kernel = Variables.nonTrainable(tf, "rnn/basic_lstm_cell/kernel", kernelShape, 0f);
      slot = Variables.nonTrainable(tf, "rnn/basic_lstm_cell/kernel/Adam", Shape.of(3), 0f);
      value = tf.placeholder(TFloat32.class);
    }

    void set(Variable<TFloat32> variable, float[] values, long... shape) {
      try (TFloat32 t = Tensors.floats(values, shape);
          Result ignored = session.runner().feed(value, t)
              .addTarget(tf.assign(variable, value, org.tensorflow.op.core.Assign.validateShape(false)))
              .run()) {
        // assigned
      }
    }

    float[] get(Variable<TFloat32> variable) {
      try (Result r = session.runner().fetch(variable).run()) {
        return Tensors.toFloatArray(r.get(0));
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  @Test
  void keepsTheNewestKAndRestoresValuesAndExtras(@TempDir Path dir) throws IOException {
    try (Model model = new Model(Shape.of(2))) {
      CheckpointManager manager = new CheckpointManager(dir, 2,
          new Tf1Saver(model.graph, List.of("global_step")));
      assertEquals(List.of("rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/kernel/Adam"),
          new Tf1Saver(model.graph, List.of()).variableNames());
      for (int step = 1; step <= 3; step++) {
        model.set(model.kernel, new float[] {step, -step}, 2);
        model.set(model.slot, new float[] {step, step, step}, 3);
        manager.save(model.session, step * 10L, Map.of("global_step", step * 10L));
      }
      assertEquals("""
          model_checkpoint_path: "model.ckpt-30"
          all_model_checkpoint_paths: "model.ckpt-20"
          all_model_checkpoint_paths: "model.ckpt-30"
          """, Files.readString(dir.resolve("checkpoint")));
      assertTrue(Files.notExists(dir.resolve("model.ckpt-10.index")));
      assertTrue(Files.notExists(dir.resolve("model.ckpt-10.data-00000-of-00001")));
      assertTrue(Files.exists(dir.resolve("model.ckpt-20.data-00000-of-00001")));

      CheckpointManager.Checkpoint latest = manager.latest().orElseThrow();
      assertEquals(30, latest.step());
      model.set(model.kernel, new float[] {7, 7}, 2);
      assertEquals(Map.of("global_step", 30L), manager.restore(model.session, latest));
      assertArrayEquals(new float[] {3, -3}, model.get(model.kernel));
      assertArrayEquals(new float[] {3, 3, 3}, model.get(model.slot));

      manager.restore(model.session, new CheckpointManager.Checkpoint(dir.resolve("model.ckpt-20"), 20));
      assertArrayEquals(new float[] {2, -2}, model.get(model.kernel));
    }
  }

  @Test
  void aCheckpointOfAnotherShapeChangesNothingAndSaysWhatDiffers(@TempDir Path dir)
      throws IOException {
    try (Model writer = new Model(Shape.of(2))) {
      writer.set(writer.kernel, new float[] {1, 2}, 2);
      new CheckpointManager(dir, 5, new Tf1Saver(writer.graph, List.of()))
          .save(writer.session, 1, Map.of());
    }
    try (Model reader = new Model(Shape.of(3))) {
      reader.set(reader.kernel, new float[] {5, 6, 7}, 3);
      reader.set(reader.slot, new float[] {8, 8, 8}, 3);
      CheckpointManager manager = new CheckpointManager(dir, 5, new Tf1Saver(reader.graph, List.of()));
      IOException e = assertThrows(IOException.class,
          () -> manager.restore(reader.session, manager.latest().orElseThrow()));
      assertEquals("the checkpoint " + dir.resolve("model.ckpt-1") + " holds "
          + "'rnn/basic_lstm_cell/kernel' as DT_FLOAT [2], but this graph needs DT_FLOAT [3]",
          e.getMessage());
      assertArrayEquals(new float[] {5, 6, 7}, reader.get(reader.kernel));
      assertArrayEquals(new float[] {8, 8, 8}, reader.get(reader.slot));
    }
  }

  @Test
  void aMissingOrDamagedCheckpointIsOneLineNamingIt(@TempDir Path dir) throws IOException {
    try (Model model = new Model(Shape.of(2))) {
      CheckpointManager manager = new CheckpointManager(dir, 5, new Tf1Saver(model.graph, List.of()));
      assertTrue(manager.latest().isEmpty());
      manager.save(model.session, 5, Map.of());
      Path data = dir.resolve("model.ckpt-5.data-00000-of-00001");
      Files.write(data, new byte[] {1, 2});
      IOException e = assertThrows(IOException.class,
          () -> manager.restore(model.session, manager.latest().orElseThrow()));
      assertTrue(e.getMessage().startsWith("cannot read the checkpoint " + dir.resolve("model.ckpt-5")
          + ": "), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }

  @Test
  void aTruncatedDataShardIsNamedWithItsSizeBeforeTensorFlowReadsIt(@TempDir Path dir)
      throws IOException {
    try (Model model = new Model(Shape.of(64))) {
      CheckpointManager manager = new CheckpointManager(dir, 5, new Tf1Saver(model.graph, List.of()));
      manager.save(model.session, 7, Map.of());
      Path data = dir.resolve("model.ckpt-7.data-00000-of-00001");
      long whole = Files.size(data); // the intact file: what the index must ask for
      try (var channel = java.nio.channels.FileChannel.open(data,
          java.nio.file.StandardOpenOption.WRITE)) {
        channel.truncate(whole - 10);
      }
      IOException e = assertThrows(IOException.class,
          () -> manager.restore(model.session, manager.latest().orElseThrow()));
      assertEquals("cannot read the checkpoint " + dir.resolve("model.ckpt-7") + ": " + data
          + " is truncated: it has " + (whole - 10) + " bytes, the index needs " + whole,
          e.getMessage());
    }
  }

  @Test
  void theStateFileReadsBackWithEscapesAndExtraFields(@TempDir Path dir) throws IOException {
    new CheckpointState("odd \"name\"-2", List.of("a\\b-1", "odd \"name\"-2")).write(dir);
    Files.writeString(dir.resolve("checkpoint"),
        Files.readString(dir.resolve("checkpoint")) + "last_preserved_timestamp: 1.5\n");
    CheckpointState state = CheckpointState.read(dir);
    assertEquals("odd \"name\"-2", state.latest());
    assertEquals(List.of("a\\b-1", "odd \"name\"-2"), state.all());
  }
}
