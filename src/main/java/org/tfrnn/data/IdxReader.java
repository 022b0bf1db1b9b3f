package org.tfrnn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the MNIST format), raw or gzip-compressed.
 *
 * <p>Layout: two zero bytes, the element type (0x08 = unsigned byte), the dimension count, one
 * big-endian int32 per dimension, then exactly the product of the dimensions in data bytes.
 * Compression is detected from the content (gzip magic 1f 8b), not from the file name. Any
 * deviation is an {@link IdxFormatException} naming the file; nothing partial is ever returned.
 */
public final class IdxReader {
  public static final int UNSIGNED_BYTE_TYPE = 0x08;
  public static final int MAX_DIMENSIONS = 4;

  private static final int BUFFER_SIZE = 1 << 16;
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;
  // The largest array length every JVM allows.
  private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

  private IdxReader() {}

  public static IdxArray read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such IDX file");
    }
    if (!isGzip(file)) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE)) {
        return parse(file, in, "");
      }
    }
    try (InputStream in =
        new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE), BUFFER_SIZE)) {
      return parse(file, in, " (after gzip decompression)");
    } catch (ZipException | EOFException e) {
      throw new IdxFormatException(file, "corrupt or truncated gzip data: " + e.getMessage(), e);
    }
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(2);
      return magic.length == 2
          && (magic[0] & 0xFF) == GZIP_MAGIC_0
          && (magic[1] & 0xFF) == GZIP_MAGIC_1;
    }
  }

  /** {@code where} qualifies sizes in messages, e.g. that they count decompressed bytes. */
  private static IdxArray parse(Path file, InputStream in, String where) throws IOException {
    byte[] magic = in.readNBytes(4);
    if (magic.length == 0) {
      throw new IdxFormatException(file, "file is empty" + where);
    }
    if (magic.length < 4) {
      throw new IdxFormatException(file, "truncated header: expected a 4-byte magic number, found "
          + magic.length + " bytes" + where);
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw new IdxFormatException(file, String.format(
          "bad magic number 0x%02X%02X%02X%02X%s: an IDX file starts with two zero bytes (is this an IDX file?)",
          magic[0], magic[1], magic[2], magic[3], where));
    }
    int type = magic[2] & 0xFF;
    if (type != UNSIGNED_BYTE_TYPE) {
      throw new IdxFormatException(file, String.format(
          "unsupported IDX element type 0x%02X (%s); only 0x08 (unsigned byte) is supported",
          type, typeName(type)));
    }
    int rank = magic[3] & 0xFF;
    if (rank < 1 || rank > MAX_DIMENSIONS) {
      throw new IdxFormatException(file,
          "dimension count " + rank + " is outside 1.." + MAX_DIMENSIONS);
    }

    byte[] dimBytes = in.readNBytes(4 * rank);
    if (dimBytes.length < 4 * rank) {
      throw new IdxFormatException(file, "truncated header: expected " + 4 * rank
          + " bytes for " + rank + " dimension sizes, found " + dimBytes.length + where);
    }
    ByteBuffer bigEndian = ByteBuffer.wrap(dimBytes);
    int[] dims = new int[rank];
    long count = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = bigEndian.getInt();
      if (dims[i] <= 0) {
        throw new IdxFormatException(file,
            "dimension " + i + " has size " + dims[i] + "; every size must be positive");
      }
      count *= dims[i];
      if (count > MAX_DATA_BYTES) {
        throw new IdxFormatException(file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
            + "... describe more than " + MAX_DATA_BYTES + " bytes, too many for one array");
      }
    }

    byte[] data = new byte[(int) count];
    int found = in.readNBytes(data, 0, data.length);
    if (found < data.length) {
      throw new IdxFormatException(file, "truncated data: expected " + count + " bytes for dimensions "
          + Arrays.toString(dims) + ", found " + found + where);
    }
    if (in.read() != -1) {
      long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
      throw new IdxFormatException(file, "trailing bytes: expected " + count + " data bytes for dimensions "
          + Arrays.toString(dims) + ", found " + (count + extra) + where);
    }
    return new IdxArray(dims, data);
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x09 -> "signed byte";
      case 0x0B -> "int16";
      case 0x0C -> "int32";
      case 0x0D -> "float32";
      case 0x0E -> "float64";
      default -> "not an IDX element type";
    };
  }
}
