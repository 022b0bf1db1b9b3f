package org.tfrnn.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class ModelExporterTest {

  /** A killed export leaves its staging directory; the next export removes it, not a live one's. */
  @Test
  void theNextExportRemovesWhatAKilledExportLeft(@TempDir Path base) throws IOException {
    // Linux pids stay below 2^22: this process cannot be alive.
    Path killed = Files.createDirectories(base.resolve(".export-999999999-abc/variables"));
    Path live = Files.createDirectories(
        base.resolve(".export-" + ProcessHandle.current().pid() + "-def"));
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1)));
      var y = tf.withName("y").math.mul(x, tf.constant(2f));
      Path exported = ModelExporter.exportNextVersion(session,
          List.of(Signature.builder().input("x", x).output("y", y).build()), base);
      assertEquals(base.resolve("1"), exported);
    }
    assertTrue(Files.notExists(killed.getParent()), "the dead process's staging directory is gone");
    assertTrue(Files.isDirectory(live), "a live process's staging directory is left alone");
  }
}
