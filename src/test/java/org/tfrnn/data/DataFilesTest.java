package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

class DataFilesTest {

  /** A .npy file of uint8 values, header written by hand as numpy 1.0 writes it. */
  static void writeUint8Npy(Path file, byte[] data, int... shape) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(shape.length == 1 ? "," : ", ");
    }
    StringBuilder header = new StringBuilder("{'descr': '|u1', 'fortran_order': False, 'shape': ("
        + dims.toString().replaceAll(", $", "") + "), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer bytes = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    bytes.putShort((short) header.length());
    bytes.put(header.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
    Files.write(file, bytes.array());
  }

  @Test
  void idxOfAnyShapeRawOrGzipWithAnyClassCount(@TempDir Path dir) throws IOException {
    byte[] pixels = {0, 51, (byte) 255, 102, 1, 2, 3, 4, 5, 6, 7, 8};
    TestFiles.write(dir.resolve("images.gz"), TestFiles.gzip(TestFiles.idx(new int[] {2, 2, 3}, pixels)));
    TestFiles.write(dir.resolve("labels"), TestFiles.idx(new int[] {2}, new byte[] {11, 3}));
    DataFiles.Examples examples = DataFiles.read(dir.resolve("images.gz"), dir.resolve("labels"));
    assertEquals(2, examples.count());
    assertEquals(2, examples.rows());
    assertEquals(3, examples.columns());
    assertEquals(12, examples.classes());
    assertArrayEquals(new int[] {11, 3}, examples.labels());
    // numpy: uint8.astype(float32) * float32(1 / 255)
    assertEquals(51 * (1.0f / 255.0f), examples.values()[1]);
    assertEquals(1.0f, examples.values()[2]);
    assertEquals("images.gz [2, 2, 3] + labels [2]", examples.describe());
  }

  @Test
  void npyPairsUint8ScaledFloat32AsTheyAreInt64Labels(@TempDir Path dir) throws IOException {
    writeUint8Npy(dir.resolve("x_train.npy"), new byte[] {0, 51, (byte) 255, 102}, 1, 2, 2);
    Npy.write(dir.resolve("y_train.npy"), NdValue.ofLongs(new long[] {2}, 1));
    Npy.write(dir.resolve("x_test.npy"), NdValue.ofFloats(new float[] {0.5f, -1f, 3f, 0.25f}, 1, 2, 2));
    writeUint8Npy(dir.resolve("y_test.npy"), new byte[] {1}, 1);
    DataFiles.Paths paths = DataFiles.locate(dir).orElseThrow();
    assertEquals(dir.resolve("x_test.npy"), paths.testImages());
    DataFiles.Examples train = DataFiles.read(paths.trainImages(), paths.trainLabels());
    assertArrayEquals(new float[] {0, 51 * (1.0f / 255.0f), 1, 102 * (1.0f / 255.0f)},
        train.values());
    assertArrayEquals(new int[] {2}, train.labels());
    DataFiles.Examples test = DataFiles.read(paths.testImages(), paths.testLabels());
    assertArrayEquals(new float[] {0.5f, -1f, 3f, 0.25f}, test.values());
    assertArrayEquals(new int[] {1}, test.labels());
  }

  @Test
  void clearErrorsNamingTheFile(@TempDir Path dir) throws IOException {
    TestFiles.write(dir.resolve("images"), TestFiles.idx(new int[] {3, 2, 2}, new byte[12]));
    TestFiles.write(dir.resolve("labels"), TestFiles.idx(new int[] {2}, new byte[2]));
    TestFiles.write(dir.resolve("flat"), TestFiles.idx(new int[] {3, 4}, new byte[12]));
    IOException counts = assertThrows(IOException.class,
        () -> DataFiles.read(dir.resolve("images"), dir.resolve("labels")));
    assertEquals(dir.resolve("images") + " has 3 images but " + dir.resolve("labels")
        + " has 2 labels", counts.getMessage());
    IOException rank = assertThrows(IOException.class,
        () -> DataFiles.read(dir.resolve("flat"), dir.resolve("labels")));
    assertEquals(dir.resolve("flat") + ": images must have shape [n, rows, columns], found [3, 4]",
        rank.getMessage());

    assertTrue(DataFiles.locate(dir).isEmpty(), "no data set here: MNIST may be fetched");
    TestFiles.write(dir.resolve(MnistFiles.TRAIN_IMAGES + ".gz"), new byte[0]);
    IOException partial = assertThrows(IOException.class, () -> DataFiles.locate(dir));
    assertTrue(partial.getMessage().contains("has part of a data set: missing "
        + MnistFiles.TRAIN_LABELS + "[.gz], " + MnistFiles.TEST_IMAGES + "[.gz], "
        + MnistFiles.TEST_LABELS + "[.gz]"), partial.getMessage());
    assertTrue(!partial.getMessage().contains("delete"), partial.getMessage());
  }
}
