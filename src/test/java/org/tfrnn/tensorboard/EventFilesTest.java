package org.tfrnn.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.HistogramProto;

class EventFilesTest {

  /** CRC-32C's standard check value, then TensorFlow's mask: rotate right by 15, add a constant. */
  @Test
  void maskedCrcOfTheCheckString() {
    byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int crc = 0xE3069283; // CRC-32C("123456789") from RFC 3720's test vectors
    int masked = Integer.rotateRight(crc, 15) + 0xa282ead8;
    assertEquals(masked, TfRecords.maskedCrc32c(check, 0, check.length));
  }

  @Test
  void recordsReadBackAndATornLastRecordEndsTheFile() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TfRecords.write(out, new byte[] {1, 2, 3});
    TfRecords.write(out, new byte[0]);
    TfRecords.write(out, new byte[] {9, 9, 9, 9});
    byte[] all = out.toByteArray();
    assertEquals(3 * 16 + 7, all.length);
    var in = new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(all, all.length - 2));
    assertEquals(List.of(1, 2, 3), boxed(TfRecords.read(in, "t")));
    assertEquals(List.of(), boxed(TfRecords.read(in, "t")));
    assertEquals(null, TfRecords.read(in, "t"));
  }

  /** A restarted run's START drops the killed run's points from its step on, as TensorBoard does. */
  @Test
  void aResumedRunReplacesWhatTheKilledRunWroteAfterTheCheckpoint(@TempDir Path logdir)
      throws IOException {
    try (EventFileWriter killed = new EventFileWriter(logdir)) {
      for (int step = 10; step <= 50; step += 10) {
        killed.scalar("loss", step, step);
      }
    }
    try (EventFileWriter resumed = new EventFileWriter(logdir)) {
      resumed.sessionStart(31);
      resumed.scalar("loss", 40, -40);
    }
    assertEquals(Map.of("loss", List.of(new EventFiles.Point(10, 10), new EventFiles.Point(20, 20),
        new EventFiles.Point(30, 30), new EventFiles.Point(40, -40))), EventFiles.scalars(logdir));
  }

  /**
   * The HistogramProto that Python TensorFlow 2.16's {@code tf.compat.v1.summary.histogram} makes
   * of these float32 values (printed by the pinned venv): limits 1e-12 * 1.1^k, ±, 0, DBL_MAX.
   */
  @Test
  void histogramEqualsTensorFlowsHistogramSummary() {
    HistogramProto h = Histogram.of(new float[] {0f, 0f, 1e-13f, 1f, 1f, 1.005f, -2.5f, 3e6f});
    assertEquals(-2.5, h.getMin(), 0);
    assertEquals(3000000, h.getMax(), 0);
    assertEquals(8, h.getNum(), 0);
    assertEquals(3000000.5049999952, h.getSum(), 1e-9);
    assertEquals(9000000000009.26, h.getSumSquares(), 1e-2);
    assertEquals(List.of(-2.6170109961884593, -2.3791009056258718, 0.0, 1e-12, 0.917246389039776,
        1.0089710279437536, 2891595.7687019561, 3180755.3455721522, Double.MAX_VALUE),
        h.getBucketLimitList());
    assertEquals(List.of(0.0, 1.0, 0.0, 3.0, 0.0, 3.0, 0.0, 1.0, 0.0), h.getBucketList());
    assertEquals(HistogramProto.newBuilder().setMin(Double.MAX_VALUE).setMax(-Double.MAX_VALUE)
        .addBucketLimit(Double.MAX_VALUE).addBucket(0).build(), Histogram.of(new float[0]));
  }

  private static List<Integer> boxed(byte[] bytes) {
    return bytes == null ? null : java.util.stream.IntStream.range(0, bytes.length)
        .mapToObj(i -> (int) bytes[i]).toList();
  }
}
