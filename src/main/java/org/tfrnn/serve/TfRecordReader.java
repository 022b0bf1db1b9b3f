package org.tfrnn.serve;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads TensorFlow's TFRecord framing (TensorFlow's {@code io::RecordReader}, uncompressed): per
 * record a little-endian uint64 length, the masked CRC-32C of those 8 bytes, the data, and the
 * masked CRC-32C of the data; both checksums are verified. No maintained Java library reads it
 * without Hadoop or a TensorFlow op; Guava computes the CRC-32C.
 */
final class TfRecordReader implements Closeable {
  private static final HashFunction CRC32C = Hashing.crc32c();
  private static final int MASK_DELTA = 0xa282ead8;

  private final Path file;
  private final InputStream in;
  private final long size;
  private long offset;

  TfRecordReader(Path file) throws IOException {
    this.file = file;
    this.size = Files.size(file);
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /** The offset of the next record in the file. */
  long offset() {
    return offset;
  }

  /**
   * The next record's data, or null at the end of the file.
   *
   * @throws IOException with TensorFlow's words ({@code truncated record}, {@code corrupted
   *     record}) and the record's offset if the framing or a checksum is wrong
   */
  byte[] next() throws IOException {
    long start = offset;
    byte[] header = new byte[12];
    int read = in.readNBytes(header, 0, header.length);
    if (read == 0) {
      return null;
    }
    if (read < header.length) {
      throw new IOException("truncated record at " + start);
    }
    ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = fields.getLong(0);
    if (fields.getInt(8) != maskedCrc(header, 8)) {
      throw new IOException("corrupted record at " + start
          + " (length checksum mismatch)");
    }
    if (length < 0 || length > Math.min(Integer.MAX_VALUE - 8, size - start - header.length - 4)) {
      throw new IOException("truncated record at " + start + " (its length "
          + Long.toUnsignedString(length) + " is past the end of the file)");
    }
    byte[] data = new byte[(int) length];
    byte[] footer = new byte[4];
    try {
      readFully(data);
      readFully(footer);
    } catch (EOFException e) {
      throw new IOException("truncated record at " + start, e);
    }
    if (ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt() != maskedCrc(data,
        data.length)) {
      throw new IOException("corrupted record at " + start
          + " (data checksum mismatch)");
    }
    offset = start + header.length + length + footer.length;
    return data;
  }

  private void readFully(byte[] buffer) throws IOException {
    if (in.readNBytes(buffer, 0, buffer.length) < buffer.length) {
      throw new EOFException();
    }
  }

  /** TensorFlow's {@code crc32c::Mask}: rotate right by 15 bits, add a constant. */
  static int maskedCrc(byte[] bytes, int length) {
    int crc = CRC32C.hashBytes(bytes, 0, length).asInt();
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
