package org.tfrnn.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A server's metrics as Prometheus text, read in process (no endpoint needed). */
final class ServingMetricsTestSupport {
  private ServingMetricsTestSupport() {}

  static String scrape(ModelServer server) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server.metrics().writeText(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
