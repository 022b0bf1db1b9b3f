package org.tfrnn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/** Writers of small IDX files and tar.gz archives for tests, independent of the code under test. */
public final class TestFiles {
  private TestFiles() {}

  /** IDX bytes: 0, 0, type, rank, big-endian dims, data. */
  static byte[] idx(int type, int[] dims, byte[] data) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    buffer.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      buffer.putInt(d);
    }
    return buffer.put(data).array();
  }

  public static byte[] idx(int[] dims, byte[] data) {
    return idx(0x08, dims, data);
  }

  public static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] content) throws IOException {
    return Files.write(file, content);
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Builds a ustar archive by hand, byte by byte: regular-file entries, each name optionally split
   * into prefix + name, or carried by a pax extended header or a GNU long-name entry, as tar tools
   * do for names over 100 bytes.
   */
  static final class Tar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tar add(String name, byte[] content) {
      return add("", name, content);
    }

    Tar add(String prefix, String name, byte[] content) {
      return entry(prefix, name, '0', content);
    }

    /** A pax header ('x') whose {@code path} record names the file; the ustar name is a stand-in. */
    Tar addWithPaxPath(String path, String ustarName, byte[] content) {
      String body = " path=" + path + "\n";
      int length = body.length() + 1;
      while (Integer.toString(length).length() + body.length() != length) {
        length++; // the record's length counts its own digits
      }
      entry("", "PaxHeaders/" + ustarName, 'x', (length + body).getBytes(StandardCharsets.UTF_8));
      return entry("", ustarName, '0', content);
    }

    /** A GNU long-name entry ('L', NUL-terminated name) before the file; its ustar name is a stand-in. */
    Tar addWithGnuLongName(String path, String ustarName, byte[] content) {
      entry("", "././@LongLink", 'L', (path + "\0").getBytes(StandardCharsets.UTF_8));
      return entry("", ustarName, '0', content);
    }

    private Tar entry(String prefix, String name, char type, byte[] content) {
      byte[] header = new byte[512];
      putString(header, 0, 100, name);
      putString(header, 100, 8, "0000644");
      putString(header, 108, 8, "0000000");
      putString(header, 116, 8, "0000000");
      putString(header, 124, 12, String.format("%011o", content.length));
      putString(header, 136, 12, String.format("%011o", 1_600_000_000L));
      header[156] = (byte) type;
      putString(header, 257, 6, "ustar");
      putString(header, 263, 2, "00");
      putString(header, 345, 155, prefix);
      for (int i = 148; i < 156; i++) {
        header[i] = ' ';
      }
      int sum = 0;
      for (byte b : header) {
        sum += b & 0xFF;
      }
      putString(header, 148, 8, String.format("%06o", sum));
      header[154] = 0; // six octal digits, NUL, space
      out.writeBytes(header);
      out.writeBytes(content);
      out.writeBytes(new byte[(512 - content.length % 512) % 512]);
      return this;
    }

    /** The archive with its end marker (two zero blocks). */
    byte[] toByteArray() {
      ByteArrayOutputStream copy = new ByteArrayOutputStream();
      copy.writeBytes(out.toByteArray());
      copy.writeBytes(new byte[1024]);
      return copy.toByteArray();
    }

    private static void putString(byte[] header, int offset, int length, String value) {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length > length) {
        throw new IllegalArgumentException("'" + value + "' does not fit in " + length + " bytes");
      }
      System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
  }
}
