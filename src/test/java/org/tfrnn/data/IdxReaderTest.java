package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static final int[] DIMS = {2, 3, 4};

  @TempDir Path dir;

  /** 24 bytes covering the whole unsigned range, including values above 127. */
  private static byte[] data(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) (i * 37 + 200);
    }
    return data;
  }

  @Test
  void readsRawFile() throws IOException {
    Path file = TestFiles.write(dir.resolve("images-idx3-ubyte"), TestFiles.idx(DIMS, data(24)));
    IdxArray array = IdxReader.read(file);
    assertArrayEquals(DIMS, array.dims());
    assertArrayEquals(data(24), array.data());
    assertEquals(200, array.data()[0] & 0xFF);
    assertEquals(2, array.count());
  }

  @Test
  void readsGzipFile() throws IOException {
    Path file = TestFiles.write(dir.resolve("images-idx3-ubyte.gz"),
        TestFiles.gzip(TestFiles.idx(DIMS, data(24))));
    assertEquals(new IdxArray(DIMS, data(24)), IdxReader.read(file));
  }

  @Test
  void detectsCompressionFromContentNotName() throws IOException {
    Path gzipWithoutSuffix = TestFiles.write(dir.resolve("labels-idx1-ubyte"),
        TestFiles.gzip(TestFiles.idx(new int[] {5}, data(5))));
    Path rawWithGzSuffix = TestFiles.write(dir.resolve("other-idx1-ubyte.gz"),
        TestFiles.idx(new int[] {5}, data(5)));
    assertEquals(new IdxArray(new int[] {5}, data(5)), IdxReader.read(gzipWithoutSuffix));
    assertEquals(new IdxArray(new int[] {5}, data(5)), IdxReader.read(rawWithGzSuffix));
  }

  @Test
  void readsOneToFourDimensions() throws IOException {
    int[][] shapes = {{7}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
    for (int[] dims : shapes) {
      int length = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
      Path file = TestFiles.write(dir.resolve("rank" + dims.length), TestFiles.idx(dims, data(length)));
      assertEquals(new IdxArray(dims, data(length)), IdxReader.read(file));
    }
  }

  @Test
  void truncatedData() throws IOException {
    byte[] complete = TestFiles.idx(DIMS, data(24));
    Path file = TestFiles.write(dir.resolve("short"), Arrays.copyOf(complete, complete.length - 4));
    assertError(file, "truncated data: expected 24 bytes for dimensions [2, 3, 4], found 20");
  }

  @Test
  void truncatedDataInsideGzip() throws IOException {
    byte[] complete = TestFiles.idx(DIMS, data(24));
    Path file = TestFiles.write(dir.resolve("short.gz"),
        TestFiles.gzip(Arrays.copyOf(complete, complete.length - 1)));
    assertError(file, "truncated data: expected 24 bytes", "found 23", "after gzip decompression");
  }

  @Test
  void trailingBytes() throws IOException {
    byte[] complete = TestFiles.idx(DIMS, data(24));
    Path file = TestFiles.write(dir.resolve("long"), Arrays.copyOf(complete, complete.length + 3));
    assertError(file, "trailing bytes: expected 24 data bytes for dimensions [2, 3, 4], found 27");
  }

  @Test
  void wrongMagic() throws IOException {
    byte[] content = TestFiles.idx(DIMS, data(24));
    content[1] = 0x01;
    Path file = TestFiles.write(dir.resolve("magic"), content);
    assertError(file, "bad magic number 0x00010803", "two zero bytes");
  }

  @Test
  void unsupportedElementType() throws IOException {
    Path file = TestFiles.write(dir.resolve("floats"), TestFiles.idx(0x0D, new int[] {1}, new byte[4]));
    assertError(file, "unsupported IDX element type 0x0D (float32)");
  }

  @Test
  void zeroDimensions() throws IOException {
    Path file = TestFiles.write(dir.resolve("rank0"), TestFiles.idx(new int[0], new byte[1]));
    assertError(file, "dimension count 0 is outside 1..4");
  }

  @Test
  void tooManyDimensions() throws IOException {
    Path file = TestFiles.write(dir.resolve("rank5"),
        TestFiles.idx(new int[] {1, 1, 1, 1, 1}, new byte[1]));
    assertError(file, "dimension count 5 is outside 1..4");
  }

  @Test
  void nonPositiveDimension() throws IOException {
    Path file = TestFiles.write(dir.resolve("zero"), TestFiles.idx(new int[] {3, 0}, new byte[0]));
    assertError(file, "dimension 1 has size 0");
    Path negative = TestFiles.write(dir.resolve("negative"), TestFiles.idx(new int[] {-2}, new byte[0]));
    assertError(negative, "dimension 0 has size -2");
  }

  @Test
  void emptyFile() throws IOException {
    Path file = TestFiles.write(dir.resolve("empty"), new byte[0]);
    assertError(file, "file is empty");
  }

  @Test
  void truncatedHeader() throws IOException {
    Path magicOnly = TestFiles.write(dir.resolve("three-bytes"), new byte[] {0, 0, 8});
    assertError(magicOnly, "truncated header: expected a 4-byte magic number, found 3 bytes");
    byte[] complete = TestFiles.idx(DIMS, data(24));
    Path cutInDims = TestFiles.write(dir.resolve("cut-dims"), Arrays.copyOf(complete, 10));
    assertError(cutInDims, "truncated header: expected 12 bytes for 3 dimension sizes, found 6");
  }

  @Test
  void corruptGzip() throws IOException {
    byte[] garbage = {0x1f, (byte) 0x8b, 0x42, 0x13, 0x37, 0, 0, 0, 0, 0, 1, 2, 3};
    assertError(TestFiles.write(dir.resolve("garbage.gz"), garbage), "corrupt or truncated gzip data");

    byte[] compressed = TestFiles.gzip(TestFiles.idx(DIMS, data(24)));
    Path cut = TestFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(compressed, compressed.length / 2));
    assertError(cut, "corrupt or truncated gzip data");
  }

  @Test
  void missingFileIsNamed() {
    Path file = dir.resolve("absent-idx3-ubyte");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private static void assertError(Path file, String... fragments) {
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith("IDX file " + file + ": "), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
  }
}
