package org.tfrnn.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of ustar archives, enough for npm package tarballs: 512-byte headers (name,
 * ustar prefix, octal size, type), each entry's data padded to a 512-byte boundary. Extended
 * headers (pax, GNU long names) are returned as ordinary non-file entries, not interpreted.
 */
final class TarReader {
  static final int BLOCK = 512;

  /** One archive member; {@code type} is the ustar type flag ('0' or NUL for a regular file). */
  record Entry(String name, long size, char type) {
    boolean isRegularFile() {
      return type == '0' || type == '\0';
    }
  }

  private final InputStream in;
  private final String source;
  private long unreadInEntry;
  private long paddingAfterEntry;

  /** {@code source} names the archive in error messages. */
  TarReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** Advances to the next entry (skipping what is left of the current one); null at the end. */
  Entry next() throws IOException {
    skipExactly(unreadInEntry + paddingAfterEntry, "entry data");
    unreadInEntry = 0;
    paddingAfterEntry = 0;

    byte[] header = in.readNBytes(BLOCK);
    if (header.length == 0 || isAllZero(header)) {
      return null; // end-of-archive marker (or an archive without one)
    }
    if (header.length < BLOCK) {
      throw error("truncated header: expected " + BLOCK + " bytes, found " + header.length);
    }
    long storedChecksum = parseOctal(header, 148, 8, "checksum");
    if (storedChecksum != headerChecksum(header)) {
      throw error("header checksum mismatch (stored " + storedChecksum + ", computed "
          + headerChecksum(header) + "): not a tar archive, or corrupt");
    }
    String name = cString(header, 0, 100);
    if (cString(header, 257, 5).equals("ustar")) {
      String prefix = cString(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    long size = parseOctal(header, 124, 12, "size of " + name);
    unreadInEntry = size;
    paddingAfterEntry = (BLOCK - size % BLOCK) % BLOCK;
    return new Entry(name, size, (char) (header[156] & 0xFF));
  }

  /** The data of the entry returned by the last {@link #next()}; reading it is optional. */
  InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == 1 ? one[0] & 0xFF : -1;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (unreadInEntry == 0) {
          return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, unreadInEntry));
        if (n < 0) {
          throw error("truncated entry data: archive ends " + unreadInEntry + " bytes early");
        }
        unreadInEntry -= n;
        return n;
      }
    };
  }

  private void skipExactly(long count, String what) throws IOException {
    try {
      in.skipNBytes(count);
    } catch (EOFException e) {
      throw error("truncated " + what + ": archive ends early");
    }
  }

  private IOException error(String problem) {
    return new IOException("tar archive " + source + ": " + problem);
  }

  private static boolean isAllZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** Sum of the header's unsigned bytes with the checksum field itself counted as spaces. */
  private static long headerChecksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xFF;
    }
    return sum;
  }

  private static String cString(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** An octal field, padded with spaces or NULs on either side. */
  private long parseOctal(byte[] header, int offset, int length, String field) throws IOException {
    if ((header[offset] & 0x80) != 0) {
      throw error("unsupported base-256 number in the " + field + " field");
    }
    String text = cString(header, offset, length).trim();
    if (text.isEmpty()) {
      return 0;
    }
    try {
      long value = Long.parseLong(text, 8);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error("bad octal number '" + text + "' in the " + field + " field");
  }
}
