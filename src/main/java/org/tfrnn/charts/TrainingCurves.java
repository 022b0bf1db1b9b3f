package org.tfrnn.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.tfrnn.tensorboard.EventFiles;

/**
 * Loss above, accuracy below, over the global step: each panel shows the series of the given
 * tags that a run recorded (minibatch values as lines, validation and per-epoch values with
 * points). Tags a run did not record are left out.
 */
public final class TrainingCurves {
  public static final int WIDTH = 1000;
  public static final int HEIGHT = 700;
  private static final Color[] COLORS = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

  private TrainingCurves() {}

  /** A curve to draw: a tag of the event files and its legend. */
  public record Curve(String tag, String label) {}

  /**
   * Writes the PNG (a temporary file, then a rename). Returns false, writing nothing, when none
   * of the curves has a point.
   */
  public static boolean write(Map<String, List<EventFiles.Point>> scalars, List<Curve> loss,
      List<Curve> accuracy, String title, Path png) throws IOException {
    XYSeriesCollection lossData = collect(scalars, loss);
    XYSeriesCollection accuracyData = collect(scalars, accuracy);
    if (lossData.getSeriesCount() == 0 && accuracyData.getSeriesCount() == 0) {
      return false;
    }
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("step"));
    plot.add(panel(lossData, "loss"), 1);
    plot.add(panel(accuracyData, "accuracy"), 1);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    Files.createDirectories(png.toAbsolutePath().getParent());
    Path temporary = png.resolveSibling(png.getFileName() + ".tmp");
    ChartUtils.saveChartAsPNG(temporary.toFile(), chart, WIDTH, HEIGHT);
    Files.move(temporary, png, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return true;
  }

  private static XYSeriesCollection collect(Map<String, List<EventFiles.Point>> scalars,
      List<Curve> curves) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Curve curve : curves) {
      List<EventFiles.Point> points = scalars.get(curve.tag());
      if (points == null || points.isEmpty()) {
        continue;
      }
      XYSeries series = new XYSeries(curve.label());
      points.forEach(p -> series.add(p.step(), p.value()));
      data.addSeries(series);
    }
    return data;
  }

  private static XYPlot panel(XYSeriesCollection data, String axis) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      // Few points (validation, epochs): show them.
      renderer.setSeriesShapesVisible(i, data.getSeries(i).getItemCount() <= 50);
    }
    NumberAxis range = new NumberAxis(axis);
    range.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(data, null, range, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}
