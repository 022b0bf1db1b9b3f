package org.tfrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow Serving's monitoring config file: its syntax, its default path, one-line errors. */
class MonitoringConfigFileTest {
  @TempDir
  Path temp;

  private Path file(String text) throws IOException {
    return Files.writeString(temp.resolve("monitoring.config"), text);
  }

  @Test
  void enabledWithoutAPathServesTensorFlowServingsDefault() throws IOException {
    assertEquals(Optional.of("/monitoring/prometheus/metrics"), MonitoringConfigFile
        .prometheusPath(file("prometheus_config {\n  enable: true\n}\n")));
  }

  @Test
  void theGivenPathIsUsed() throws IOException {
    assertEquals(Optional.of("/metrics"), MonitoringConfigFile.prometheusPath(
        file("prometheus_config { enable: true, path: \"/metrics\" }")));
  }

  @Test
  void notEnabledMeansNoEndpoint() throws IOException {
    assertEquals(Optional.empty(), MonitoringConfigFile.prometheusPath(
        file("prometheus_config { path: \"/metrics\" }")));
    assertEquals(Optional.empty(), MonitoringConfigFile.prometheusPath(file("")));
  }

  @Test
  void aBadFileIsOneLineNamingIt() throws IOException {
    Path bad = file("prometheus_config {\n  enable: yes_please\n}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MonitoringConfigFile.prometheusPath(bad));
    assertTrue(e.getMessage().startsWith("cannot parse the monitoring config file " + bad + ": 2:"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(" (expected e.g. prometheus_config { enable: true, path: "
        + "\"/monitoring/prometheus/metrics\" })"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());

    Path unknownField = file("prometheus { enable: true }");
    e = assertThrows(IllegalArgumentException.class,
        () -> MonitoringConfigFile.prometheusPath(unknownField));
    assertTrue(e.getMessage().contains("prometheus"), e.getMessage());

    Path relative = file("prometheus_config { enable: true, path: \"metrics\" }");
    e = assertThrows(IllegalArgumentException.class,
        () -> MonitoringConfigFile.prometheusPath(relative));
    assertTrue(e.getMessage().contains("must start with '/'"), e.getMessage());

    Path missing = temp.resolve("absent.config");
    e = assertThrows(IllegalArgumentException.class,
        () -> MonitoringConfigFile.prometheusPath(missing));
    assertEquals("cannot read the monitoring config file " + missing + ": it does not exist",
        e.getMessage());
  }
}
