package org.tfrnn.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.tensorboard.EventFiles;

class TrainingCurvesTest {

  private static List<EventFiles.Point> line(int points, double from, double to) {
    List<EventFiles.Point> series = new ArrayList<>();
    for (int i = 0; i < points; i++) {
      series.add(new EventFiles.Point(10L * (i + 1), from + (to - from) * i / (points - 1)));
    }
    return series;
  }

  @Test
  void drawsEachRecordedSeriesInItsColour(@TempDir Path dir) throws IOException {
    Path png = dir.resolve("curves.png");
    boolean written = TrainingCurves.write(
        Map.of("loss", line(100, 2.0, 0.1), "val_acc", line(5, 0.5, 0.97)),
        List.of(new TrainingCurves.Curve("loss", "training"), new TrainingCurves.Curve("none", "x")),
        List.of(new TrainingCurves.Curve("val_acc", "validation")), "run", png);

    assertTrue(written);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(TrainingCurves.WIDTH, image.getWidth());
    assertEquals(TrainingCurves.HEIGHT, image.getHeight());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y) & 0xFFFFFF);
      }
    }
    // First series of each panel: blue (the loss line and its legend), a second would be orange.
    assertTrue(colours.contains(0x1f77b4), "the curves are drawn");
    assertFalse(colours.contains(0xff7f0e), "no series for a tag that was not recorded");
    assertTrue(Files.notExists(dir.resolve("curves.png.tmp")));
  }

  @Test
  void nothingRecordedWritesNothing(@TempDir Path dir) throws IOException {
    Path png = dir.resolve("curves.png");
    assertFalse(TrainingCurves.write(Map.of(), List.of(new TrainingCurves.Curve("loss", "l")),
        List.of(), "run", png));
    assertTrue(Files.notExists(png));
  }
}
