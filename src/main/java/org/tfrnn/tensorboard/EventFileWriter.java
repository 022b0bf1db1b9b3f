package org.tfrnn.tensorboard;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * Writes one TensorBoard event file, {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}, in
 * {@code logdir}, as TensorFlow's {@code FileWriter} does: a {@code brain.Event:2} version record
 * first, then one {@link Event} per record. Not thread-safe.
 */
public final class EventFileWriter implements Closeable {
  public static final String FILE_PREFIX = "events.out.tfevents.";
  private static final AtomicInteger FILES_OPENED = new AtomicInteger();

  private final Path file;
  private final OutputStream out;

  public EventFileWriter(Path logdir) throws IOException {
    Files.createDirectories(logdir);
    long now = System.currentTimeMillis();
    this.file = logdir.resolve(String.format(Locale.ROOT, "%s%010d.%s.%d.%d", FILE_PREFIX,
        now / 1000, hostName(), ProcessHandle.current().pid(), FILES_OPENED.incrementAndGet()));
    this.out = new BufferedOutputStream(
        Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build());
    flush();
  }

  public Path file() {
    return file;
  }

  /** A scalar as TF1's {@code tf.summary.scalar} writes it ({@code simple_value}). */
  public void scalar(String tag, long step, double value) throws IOException {
    summary(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value).build());
  }

  /** A histogram of {@code values} as TF1's {@code tf.summary.histogram} writes it. */
  public void histogram(String tag, long step, float[] values) throws IOException {
    summary(step, Summary.Value.newBuilder().setTag(tag).setHisto(Histogram.of(values)).build());
  }

  /** The graph for TensorBoard's Graphs tab. */
  public void graph(GraphDef graph) throws IOException {
    write(event(0).setGraphDef(graph.toByteString()).build());
  }

  /**
   * A {@code SessionLog.START} at {@code step}, the first step of a resumed run: TensorBoard then
   * drops the points from that step on that a killed earlier
   * run wrote, so the curves continue without a tangle.
   */
  public void sessionStart(long step) throws IOException {
    write(event(step).setSessionLog(
        SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private void summary(long step, Summary.Value value) throws IOException {
    write(event(step).setSummary(Summary.newBuilder().addValue(value)).build());
  }

  private static Event.Builder event(long step) {
    return Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step);
  }

  private void write(Event event) throws IOException {
    TfRecords.write(out, event.toByteArray());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
