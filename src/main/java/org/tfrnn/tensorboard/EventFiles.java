package org.tfrnn.tensorboard;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * Reads the scalars back from every event file in a log directory, in file-name (time) order, and
 * drops what TensorBoard drops: points at or after the step of a later {@code SessionLog.START}'s step that an
 * earlier, killed run wrote.
 */
public final class EventFiles {
  private EventFiles() {}

  /** One scalar at one step. */
  public record Point(long step, double value) {}

  /** Scalar series by tag, each in step order. */
  public static Map<String, List<Point>> scalars(Path logdir) throws IOException {
    Map<String, TreeMap<Long, Double>> byTag = new TreeMap<>();
    for (Path file : files(logdir)) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
        byte[] record;
        while ((record = TfRecords.read(in, file.toString())) != null) {
          Event event = Event.parseFrom(record);
          if (event.hasSessionLog()
              && event.getSessionLog().getStatus() == SessionLog.SessionStatus.START) {
            byTag.values().forEach(series -> series.tailMap(event.getStep(), true).clear());
          }
          for (Summary.Value value : event.getSummary().getValueList()) {
            if (value.getValueCase() == Summary.Value.ValueCase.SIMPLE_VALUE) {
              byTag.computeIfAbsent(value.getTag(), t -> new TreeMap<>())
                  .put(event.getStep(), (double) value.getSimpleValue());
            }
          }
        }
      }
    }
    Map<String, List<Point>> result = new TreeMap<>();
    byTag.forEach((tag, series) -> {
      List<Point> points = new ArrayList<>();
      series.forEach((step, value) -> points.add(new Point(step, value)));
      result.put(tag, points);
    });
    return result;
  }

  /** The event files of {@code logdir}, oldest first. */
  public static List<Path> files(Path logdir) throws IOException {
    if (!Files.isDirectory(logdir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(logdir)) {
      return children
          .filter(p -> p.getFileName().toString().startsWith(EventFileWriter.FILE_PREFIX))
          .sorted()
          .toList();
    }
  }
}
