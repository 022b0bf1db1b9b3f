package org.tfrnn.metrics;

import java.nio.file.Path;
import java.util.Optional;
import org.tfrnn.textproto.TextProtoFiles;
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
    return prometheusPath(() -> TextProtoFiles.read(file, MonitoringConfig.newBuilder(),
        "monitoring config file"), file.toString());
  }

  static Optional<String> prometheusPath(String text, String source) {
    return prometheusPath(() -> TextProtoFiles.parse(text, MonitoringConfig.newBuilder(),
        "the monitoring config file " + source), source);
  }

  private interface Reader {
    MonitoringConfig.Builder read() throws TextProtoFiles.TextProtoException;
  }

  private static Optional<String> prometheusPath(Reader reader, String source) {
    MonitoringConfig.Builder config;
    try {
      config = reader.read();
    } catch (TextProtoFiles.TextProtoException e) {
      throw new IllegalArgumentException(e.getMessage() + (e.isParseError()
          ? " (expected e.g. prometheus_config { enable: true, path: \""
              + DEFAULT_PROMETHEUS_PATH + "\" })" : ""), e);
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
