package org.tfrnn.metrics;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import tensorflow.serving.MonitoringConfigOuterClass.MonitoringConfig;
import tensorflow.serving.MonitoringConfigOuterClass.PrometheusConfig;

/**
 * TensorFlow Serving's {@code --monitoring_config_file}: a text protobuf
 * {@code prometheus_config { enable: true, path: "/monitoring/prometheus/metrics" }}.
 */
public final class MonitoringConfigFile {
  /** TensorFlow Serving's {@code PrometheusExporter::kPrometheusPath}. */
  public static final String DEFAULT_PROMETHEUS_PATH = "/monitoring/prometheus/metrics";

  private MonitoringConfigFile() {}

  /**
   * The path to serve Prometheus metrics on, or empty if the file does not enable them.
   *
   * @throws IllegalArgumentException with one line naming the file and what is wrong in it
   */
  public static Optional<String> prometheusPath(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("monitoring config file " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read monitoring config file " + file + ": "
          + e.getMessage());
    }
    return prometheusPath(text, file.toString());
  }

  static Optional<String> prometheusPath(String text, String source) {
    MonitoringConfig.Builder config = MonitoringConfig.newBuilder();
    try {
      TextFormat.merge(text, config);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException("monitoring config file " + source + ": "
          + e.getMessage().replace('\n', ' ') + " (expected e.g. prometheus_config { enable: "
          + "true, path: \"" + DEFAULT_PROMETHEUS_PATH + "\" })");
    }
    PrometheusConfig prometheus = config.getPrometheusConfig();
    if (!prometheus.getEnable()) {
      return Optional.empty();
    }
    String path = prometheus.getPath().isEmpty() ? DEFAULT_PROMETHEUS_PATH : prometheus.getPath();
    if (!path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("monitoring config file " + source + ": prometheus_config"
          + " path \"" + path + "\" must start with '/' and hold no spaces");
    }
    return Optional.of(path);
  }
}
