package org.tfrnn.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;

class NpyTest {
  @Test
  void roundTripsEveryDtype(@TempDir Path tmp) throws IOException {
    NdValue[] values = {
        NdValue.ofFloats(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, 7f}, 2, 3),
        new NdValue(DataType.DT_DOUBLE, new long[] {2}, new double[] {Math.PI, -1e-300}),
        NdValue.ofInts(new int[] {Integer.MIN_VALUE, 0, 5}, 3),
        NdValue.ofLongs(new long[] {Long.MAX_VALUE, -1}, 2, 1),
        new NdValue(DataType.DT_BOOL, new long[] {3}, new boolean[] {true, false, true}),
        NdValue.ofFloats(new float[0], 0, 28, 28),
    };
    for (NdValue value : values) {
      Path file = tmp.resolve("v.npy");
      Npy.write(file, value);
      assertEquals(0, (Files.size(file) - value.size() * widthOf(value)) % 64, "aligned header");
      assertEquals(value, Npy.read(file));
    }
  }

  @Test
  void readsWhatNumpyWrote() throws IOException {
    // savedmodels/*/expected/labels.npy was written by numpy.save: the first test labels.
    NdValue labels = Npy.read(Path.of("savedmodels/py-static-lstm/expected/labels.npy"));
    assertArrayEquals(new long[] {100}, labels.shape());
    assertArrayEquals(new long[] {7, 2, 1, 0, 4}, java.util.Arrays.copyOf(labels.longs(), 5));
  }

  @Test
  void rejectsTruncatedData(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("t.npy");
    Npy.write(file, NdValue.ofFloats(new float[] {1, 2, 3}, 3));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 2));
    IOException e = assertThrows(IOException.class, () -> Npy.read(file));
    assertTrue(e.getMessage().contains("needs 12 data bytes, found 10"), e.getMessage());
  }

  private static long widthOf(NdValue v) {
    return switch (v.dtype()) {
      case DT_DOUBLE, DT_INT64 -> 8;
      case DT_BOOL -> 1;
      default -> 4;
    };
  }
}
