package org.tfrnn.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;

/**
 * Reads a TensorFlow checkpoint's {@code .index} file (a LevelDB-format table of
 * {@code BundleEntryProto}s, as {@code tensor_bundle.cc} writes it) far enough to know how many
 * bytes each {@code .data-NNNNN-of-NNNNN} shard must hold. TensorFlow itself notices a truncated
 * shard only when it reads a variable, and then says "Read less bytes than requested" with native
 * log lines and no file name; checking the sizes first gives one line that names the file.
 */
public final class CheckpointIndex {
  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_BYTES = 48;
  private static final int BLOCK_TRAILER_BYTES = 5;
  private static final byte NO_COMPRESSION = 0;

  private CheckpointIndex() {}

  /**
   * Throws if a data shard named by {@code index} is missing or shorter than the entries need.
   * Returns quietly where the index cannot be read this way (a compressed block, an unknown
   * layout): TensorFlow's loader then judges the files in its own words.
   */
  public static void requireCompleteShards(Path index) throws IOException {
    TreeMap<Integer, Long> needed;
    int shards;
    try {
      byte[] table = Files.readAllBytes(index);
      needed = new TreeMap<>();
      shards = readEntries(table, needed);
    } catch (UnreadableIndex | InvalidProtocolBufferException e) {
      return;
    }
    String prefix = index.getFileName().toString().replaceFirst("\\.index$", "");
    for (var shard : needed.entrySet()) {
      Path data = index.resolveSibling(
          String.format("%s.data-%05d-of-%05d", prefix, shard.getKey(), shards));
      if (!Files.isRegularFile(data)) {
        throw new IOException(data + " is missing: the checkpoint index names it");
      }
      long size = Files.size(data);
      if (size < shard.getValue()) {
        throw new IOException(data + " is truncated: it has " + size + " bytes, the index needs "
            + shard.getValue());
      }
    }
  }

  /** Fills {@code needed} (shard id to bytes) and returns the header's number of shards. */
  private static int readEntries(byte[] table, TreeMap<Integer, Long> needed)
      throws UnreadableIndex, InvalidProtocolBufferException {
    if (table.length < FOOTER_BYTES) {
      throw new UnreadableIndex();
    }
    ByteBuffer footer = ByteBuffer.wrap(table, table.length - FOOTER_BYTES, FOOTER_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    if (footer.getLong(table.length - 8) != TABLE_MAGIC) {
      throw new UnreadableIndex();
    }
    Cursor footerCursor = new Cursor(table, table.length - FOOTER_BYTES);
    footerCursor.varint(); // metaindex block offset
    footerCursor.varint(); // metaindex block size
    byte[] indexBlock = block(table, footerCursor.varint(), footerCursor.varint());
    int shards = 1;
    for (byte[][] indexEntry : blockEntries(indexBlock)) { // value: a data block's handle
      Cursor h = new Cursor(indexEntry[1], 0);
      for (byte[][] entry : blockEntries(block(table, h.varint(), h.varint()))) {
        if (entry[0].length == 0) { // the empty key holds the header
          shards = BundleHeaderProto.parseFrom(entry[1]).getNumShards();
          continue;
        }
        BundleEntryProto bundleEntry = BundleEntryProto.parseFrom(entry[1]);
        needed.merge(bundleEntry.getShardId(),
            bundleEntry.getOffset() + bundleEntry.getSize(), Math::max);
      }
    }
    return shards;
  }

  private static byte[] block(byte[] table, long offset, long size) throws UnreadableIndex {
    if (offset < 0 || size < 4 || offset + size + BLOCK_TRAILER_BYTES > table.length
        || table[(int) (offset + size)] != NO_COMPRESSION) {
      throw new UnreadableIndex();
    }
    return Arrays.copyOfRange(table, (int) offset, (int) (offset + size));
  }

  /** A block's entries as {key, value}, undoing the keys' shared-prefix compression. */
  private static List<byte[][]> blockEntries(byte[] block) throws UnreadableIndex {
    int restarts = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(block.length - 4);
    long end = block.length - 4L * (restarts + 1L);
    if (restarts < 0 || end < 0) {
      throw new UnreadableIndex();
    }
    List<byte[][]> entries = new ArrayList<>();
    Cursor c = new Cursor(block, 0);
    byte[] key = new byte[0];
    while (c.position < end) {
      int shared = (int) c.varint();
      int unshared = (int) c.varint();
      int valueLength = (int) c.varint();
      if (shared > key.length || c.position + unshared + valueLength > end) {
        throw new UnreadableIndex();
      }
      byte[] next = Arrays.copyOf(key, shared + unshared);
      System.arraycopy(block, c.position, next, shared, unshared);
      c.position += unshared;
      key = next;
      entries.add(new byte[][] {key, Arrays.copyOfRange(block, c.position, c.position + valueLength)});
      c.position += valueLength;
    }
    return entries;
  }

  private static final class Cursor {
    private final byte[] bytes;
    private int position;

    Cursor(byte[] bytes, int position) {
      this.bytes = bytes;
      this.position = position;
    }

    long varint() throws UnreadableIndex {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= bytes.length) {
          throw new UnreadableIndex();
        }
        byte b = bytes[position++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new UnreadableIndex();
    }
  }

  /** The index is not laid out as this reader expects; TensorFlow's loader will judge it. */
  private static final class UnreadableIndex extends Exception {
    UnreadableIndex() {
      super(null, null, false, false);
    }
  }
}
