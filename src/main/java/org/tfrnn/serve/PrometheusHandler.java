package org.tfrnn.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.tfrnn.metrics.ServingMetrics;

/**
 * The Prometheus endpoint on the REST port ({@code --monitoring_config_file}'s path): a GET of
 * exactly that path answers the metrics in the Prometheus text format.
 */
final class PrometheusHandler implements HttpHandler {
  private final String path;
  private final ServingMetrics metrics;

  PrometheusHandler(String path, ServingMetrics metrics) {
    this.path = path;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      byte[] body;
      String type = ServingMetrics.CONTENT_TYPE;
      if (!exchange.getRequestURI().getPath().equals(path)) {
        status = 404;
        type = "application/json";
        body = ServingJson.error("no such endpoint: " + exchange.getRequestURI().getPath()
            + "; the metrics are at GET " + path);
      } else if (!exchange.getRequestMethod().equals("GET")) {
        status = 405;
        type = "application/json";
        exchange.getResponseHeaders().set("Allow", "GET");
        body = ServingJson.error("method " + exchange.getRequestMethod() + " is not allowed on "
            + path + "; use GET");
      } else {
        ByteArrayOutputStream text = new ByteArrayOutputStream(16384);
        metrics.writeText(text);
        status = 200;
        body = text.toByteArray();
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
