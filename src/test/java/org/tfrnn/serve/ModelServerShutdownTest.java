package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tfrnn.serve.ServingFixtures.STATIC_LSTM;
import static org.tfrnn.serve.ServingFixtures.maxAbsDiff;
import static org.tfrnn.serve.ServingFixtures.patiently;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.inference.VersionStatus;

/**
 * {@link ModelServer#stop()}, what SIGTERM runs: new requests are refused, a request in flight
 * still gets its full answer, then the port closes and the model is freed.
 */
class ModelServerShutdownTest {

  @Test
  void stopLetsTheRequestInFlightFinish(@TempDir Path base) throws Exception {
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    ServingFixtures.Expected expected = ServingFixtures.expected(STATIC_LSTM);
    ModelServer server = ModelServer.start(ServerConfig.of("mnist", base).withPort(0));
    RestClient client = new RestClient(server);
    byte[] body = RestClient.rows(expected.images(0, 5)).getBytes(StandardCharsets.UTF_8);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      // A request whose body is only half sent is in flight until the rest arrives.
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/models/mnist:predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, body.length / 2);
      out.flush();
      patiently("the request to be in flight").until(() -> server.requestsInFlight() == 1);

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
      patiently("new requests to be refused")
          .until(() -> client.get("/v1/models/mnist").status() == 503);
      RestClient.Reply refused = client.get("/v1/models/mnist");
      assertEquals("the server is shutting down", refused.error());
      assertFalse(stopping.isDone(), "stop() returned with a request in flight");

      out.write(body, body.length / 2, body.length - body.length / 2);
      out.flush();
      String answer = readResponse(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      JsonNode predictions = RestClient.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n")))
          .get("predictions");
      assertTrue(maxAbsDiff(expected.floats("logits", 0, 5),
          RestClient.floats(RestClient.field(predictions, "logits"))) <= 1e-5);

      stopping.get(60, TimeUnit.SECONDS);
    }
    UncheckedIOException refused = assertThrows(UncheckedIOException.class,
        () -> client.get("/v1/models/mnist"));
    assertTrue(refused.getCause() instanceof ConnectException, refused.toString());
    assertThrows(IllegalStateException.class, server::servedVersion); // the model is freed
    assertEquals(List.of(VersionStatus.ended(1)), server.versionStatuses());
  }

  @Test
  void stopWhenIdleDoesNotWaitForTheGracePeriodAndIsIdempotent(@TempDir Path base)
      throws Exception {
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    ModelServer server = ModelServer.start(ServerConfig.of("mnist", base).withPort(0)
        .withShutdownGrace(Duration.ofMinutes(5)));
    assertEquals(200, new RestClient(server).get("/v1/models/mnist").status());
    // A guard, not a measurement: waiting out the 5-minute grace would fail it.
    assertTimeoutPreemptively(Duration.ofSeconds(30), server::stop);
    assertTimeoutPreemptively(Duration.ofSeconds(30), server::stop);
    assertTimeoutPreemptively(Duration.ofSeconds(30), server::awaitStop);
  }

  @Test
  void aBasePathWithoutVersionsIsRefusedAtStart(@TempDir Path base) throws IOException {
    IOException empty = assertThrows(IOException.class,
        () -> ModelServer.start(ServerConfig.of("mnist", base).withPort(0)));
    assertTrue(empty.getMessage().contains("has no numbered version directory"),
        empty.getMessage());
    Path model = ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    IOException direct = assertThrows(IOException.class,
        () -> ModelServer.start(ServerConfig.of("mnist", model).withPort(0)));
    assertTrue(direct.getMessage().contains("is a SavedModel itself"), direct.getMessage());
  }

  @Test
  void aFailureAfterBindingReleasesThePortAndTheModel(@TempDir Path base) throws IOException {
    ServingFixtures.publishVersion(STATIC_LSTM, base, 1);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> events = new CopyOnWriteArrayList<>();
    ServerListener recording = ServingFixtures.recordingVersions(events);
    // A poll interval under a millisecond passes the config's check but not the scheduler's
    // (a delay of 0 ms): start() fails after the port is bound and the server started.
    ServerConfig config = ServerConfig.of("mnist", base).withPort(port)
        .withPollInterval(Duration.ofNanos(1));
    assertThrows(IllegalArgumentException.class, () -> ModelServer.start(config, recording));

    assertEquals(List.of("loaded 1", "unloaded 1"), events, "the model was not freed");
    try (ServerSocket rebind = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
      assertEquals(port, rebind.getLocalPort());
    } catch (BindException e) {
      throw new AssertionError("port " + port + " is still bound after the failed start", e);
    }
  }

  /** One HTTP/1.1 response with a Content-Length, as text. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the response head: " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    int length = -1;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
