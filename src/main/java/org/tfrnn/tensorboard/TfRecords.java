package org.tfrnn.tensorboard;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TensorFlow's TFRecord framing: {@code uint64 length, uint32 masked_crc32c(length), data,
 * uint32 masked_crc32c(data)}, all little-endian. The CRC is CRC-32C (Castagnoli), masked as
 * TensorFlow's {@code crc32c::Mask} does so that a CRC of data holding CRCs stays well distributed.
 */
public final class TfRecords {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecords() {}

  /** TensorFlow's {@code crc32c::Mask(crc32c::Value(data))}. */
  public static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }

  public static void write(OutputStream out, byte[] record) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(record.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    out.write(header.array());
    out.write(record);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(maskedCrc32c(record, 0, record.length)).array());
  }

  /**
   * The next record, or null at a clean end of the stream. A record cut short at the end (a
   * writer killed mid-write) also ends the stream, as TensorBoard treats it; a CRC mismatch is an
   * error.
   */
  public static byte[] read(InputStream in, String source) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] header = data.readNBytes(12);
    if (header.length < 12) {
      return null;
    }
    ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = fields.getLong();
    if (fields.getInt() != maskedCrc32c(header, 0, 8)) {
      throw new IOException(source + ": corrupt record header (length CRC mismatch)");
    }
    if (length < 0 || length > Integer.MAX_VALUE - 8) {
      throw new IOException(source + ": record length " + length + " is out of range");
    }
    byte[] record = data.readNBytes((int) length);
    byte[] footer = data.readNBytes(4);
    if (record.length < length || footer.length < 4) {
      return null;
    }
    if (ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt()
        != maskedCrc32c(record, 0, record.length)) {
      throw new IOException(source + ": corrupt record (data CRC mismatch)");
    }
    return record;
  }
}
