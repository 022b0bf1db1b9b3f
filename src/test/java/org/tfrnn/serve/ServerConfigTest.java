package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder starts from TensorFlow Serving's defaults, sets only what it is told, and checks. */
class ServerConfigTest {
  private static final Path BASE = Path.of("runs/best");

  @Test
  void defaultsAreTensorFlowServingsAndLoopback() {
    ServerConfig config = ServerConfig.builder("best", BASE).build();
    assertEquals(new ServerConfig("best", BASE, "127.0.0.1", 8501, 32L << 20,
        Duration.ofSeconds(2), ServerConfig.defaultThreads(), Duration.ofSeconds(30),
        Duration.ofMillis(30_000), null, null), config);
    assertEquals(config, ServerConfig.of("best", BASE));
  }

  @Test
  void eachSettingChangesOnlyItself() {
    ServerConfig config = ServerConfig.builder("best", BASE).host("::1").port(0)
        .maxRequestBytes(1024).pollInterval(Duration.ofMillis(50)).threads(3)
        .shutdownGrace(Duration.ZERO).restTimeout(Duration.ofMillis(5))
        .prometheusPath("/metrics").build();
    assertEquals(new ServerConfig("best", BASE, "::1", 0, 1024, Duration.ofMillis(50), 3,
        Duration.ZERO, Duration.ofMillis(5), "/metrics", null), config);
    assertEquals(config, config.toBuilder().build());
    assertEquals(new ServerConfig("best", BASE, "::1", 9000, 1024, Duration.ofMillis(50), 3,
        Duration.ZERO, Duration.ofMillis(5), "/metrics", null), config.withPort(9000));
  }

  @Test
  void buildChecksTheSettings() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.builder("best", BASE).threads(0).build());
    assertEquals("threads must be at least 1, got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.builder("a/b", BASE).build());
    assertTrue(e.getMessage().startsWith("model name 'a/b' must be non-empty"), e.getMessage());
  }
}
