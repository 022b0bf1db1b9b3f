package org.tfrnn.tensors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.DataType;

/**
 * NumPy's {@code .npy} format (version 1 and 2 headers, C order, little-endian): how the Python
 * side hands arrays to Java and back. Supports float32, float64, int32, int64 and bool, and reads
 * uint8 (as ints, dtype DT_UINT8).
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  public static NdValue read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IOException(file + ": not a .npy file (bad magic)");
    }
    int major = bytes[6];
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(buffer.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      headerLength = buffer.getInt(8);
      headerStart = 12;
    } else {
      throw new IOException(file + ": unsupported .npy version " + major);
    }
    if (headerStart + headerLength > bytes.length) {
      throw new IOException(file + ": truncated .npy header");
    }
    String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    if (group(ORDER, header, file, "fortran_order").equals("True")) {
      throw new IOException(file + ": Fortran-ordered arrays are not supported");
    }
    long[] shape = Arrays.stream(group(SHAPE, header, file, "shape").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    int n = Math.toIntExact(count);
    ByteBuffer data = ByteBuffer.wrap(bytes, headerStart + headerLength,
        bytes.length - headerStart - headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
    int width = switch (descr) {
      case "<f4", "<i4" -> 4;
      case "<f8", "<i8" -> 8;
      case "|b1", "|u1" -> 1;
      default -> throw new IOException(file + ": unsupported dtype '" + descr + "'");
    };
    if (data.remaining() != (long) n * width) {
      throw new IOException(file + ": shape " + Arrays.toString(shape) + " of '" + descr
          + "' needs " + (long) n * width + " data bytes, found " + data.remaining());
    }
    return switch (descr) {
      case "<f4" -> {
        float[] v = new float[n];
        data.asFloatBuffer().get(v);
        yield NdValue.ofFloats(v, shape);
      }
      case "<f8" -> {
        double[] v = new double[n];
        data.asDoubleBuffer().get(v);
        yield new NdValue(DataType.DT_DOUBLE, shape, v);
      }
      case "<i4" -> {
        int[] v = new int[n];
        data.asIntBuffer().get(v);
        yield NdValue.ofInts(v, shape);
      }
      case "<i8" -> {
        long[] v = new long[n];
        data.asLongBuffer().get(v);
        yield NdValue.ofLongs(v, shape);
      }
      case "|u1" -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = data.get(i) & 0xFF;
        }
        yield new NdValue(DataType.DT_UINT8, shape, v);
      }
      default -> {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
          v[i] = data.get(i) != 0;
        }
        yield new NdValue(DataType.DT_BOOL, shape, v);
      }
    };
  }

  /** Writes {@code value} as a version 1.0 .npy file, atomically (temporary file, then rename). */
  public static void write(Path file, NdValue value) throws IOException {
    String descr = switch (value.dtype()) {
      case DT_FLOAT -> "<f4";
      case DT_DOUBLE -> "<f8";
      case DT_INT32 -> "<i4";
      case DT_INT64 -> "<i8";
      case DT_BOOL -> "|b1";
      default -> throw new IllegalArgumentException("unsupported dtype " + value.dtype());
    };
    long[] shape = value.shape();
    String dims = shape.length == 1 ? shape[0] + ","
        : String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toList());
    StringBuilder header = new StringBuilder("{'descr': '" + descr
        + "', 'fortran_order': False, 'shape': (" + dims + "), }");
    // Header padded with spaces so the data starts on a 64-byte boundary, ending in a newline.
    while ((MAGIC.length + 4 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    int n = Math.toIntExact(value.size());
    int width = descr.equals("|b1") ? 1 : descr.endsWith("8") ? 8 : 4;
    ByteBuffer data = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
    switch (value.dtype()) {
      case DT_FLOAT -> data.asFloatBuffer().put(value.floats());
      case DT_DOUBLE -> data.asDoubleBuffer().put(value.doubles());
      case DT_INT32 -> data.asIntBuffer().put(value.ints());
      case DT_INT64 -> data.asLongBuffer().put(value.longs());
      default -> {
        boolean[] v = value.booleans();
        for (int i = 0; i < n; i++) {
          data.put(i, (byte) (v[i] ? 1 : 0));
        }
      }
    }
    Path partial = file.resolveSibling(file.getFileName() + ".part");
    try (OutputStream out = Files.newOutputStream(partial)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0});
      byte[] headerBytes = header.toString().getBytes(StandardCharsets.ISO_8859_1);
      out.write(headerBytes.length & 0xFF);
      out.write(headerBytes.length >> 8);
      out.write(headerBytes);
      out.write(data.array());
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String group(Pattern pattern, String header, Path file, String what)
      throws IOException {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": .npy header has no " + what + ": " + header.trim());
    }
    return m.group(1);
  }
}
