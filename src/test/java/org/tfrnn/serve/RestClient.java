package org.tfrnn.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A JDK HTTP client for a {@link ModelServer} on loopback, and the JSON of its answers. */
final class RestClient {
  /** Decimals read as BigDecimal, so a float written by the server reads back exactly. */
  static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private final URI root;

  RestClient(ModelServer server) {
    this(server.port());
  }

  /** A client of the REST port of a server in another process. */
  RestClient(int port) {
    this.root = URI.create("http://127.0.0.1:" + port);
  }

  record Reply(int status, String body, HttpHeaders headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (JsonProcessingException e) {
        throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
      }
    }

    /** The {@code error} of an error answer. */
    String error() {
      JsonNode error = json().get("error");
      if (error == null || !error.isTextual()) {
        throw new AssertionError("no \"error\" string in HTTP " + status + ": " + body);
      }
      return error.asText();
    }
  }

  Reply get(String path) {
    return send("GET", path, null);
  }

  Reply post(String path, String body) {
    return send("POST", path, body);
  }

  Reply send(String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(root.resolve(path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@code {"instances": [image, ...]}}, each image as 28 lists of 28 numbers. */
  static String rows(float[] images) {
    return "{\"instances\": " + nestedImages(images) + "}";
  }

  /** {@code {"instances": [{"KEY": image}, ...]}}. */
  static String rowsOfObjects(String key, float[] images) {
    StringBuilder json = new StringBuilder("{\"instances\": [");
    int count = images.length / ServingFixtures.PIXELS;
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ", ").append("{\"").append(key).append("\": ");
      appendImage(json, images, i);
      json.append('}');
    }
    return json.append("]}").toString();
  }

  /** {@code {"inputs": {"KEY": [image, ...]}}}, or {@code {"inputs": [image, ...]}} for null. */
  static String columns(String key, float[] images) {
    String tensor = nestedImages(images);
    return key == null ? "{\"inputs\": " + tensor + "}"
        : "{\"inputs\": {\"" + key + "\": " + tensor + "}}";
  }

  private static String nestedImages(float[] images) {
    StringBuilder json = new StringBuilder("[");
    int count = images.length / ServingFixtures.PIXELS;
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ", ");
      appendImage(json, images, i);
    }
    return json.append(']').toString();
  }

  private static void appendImage(StringBuilder json, float[] images, int index) {
    json.append('[');
    for (int row = 0; row < 28; row++) {
      json.append(row == 0 ? "[" : ", [");
      for (int col = 0; col < 28; col++) {
        json.append(col == 0 ? "" : ", ").append(images[index * ServingFixtures.PIXELS
            + row * 28 + col]);
      }
      json.append(']');
    }
    json.append(']');
  }

  /** A nested JSON list of numbers, flattened row-major, each read exactly as a float. */
  static float[] floats(JsonNode nested) {
    List<JsonNode> leaves = new ArrayList<>();
    flatten(nested, leaves);
    float[] values = new float[leaves.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode leaf = leaves.get(i);
      if (!leaf.isNumber()) {
        throw new AssertionError("not a number: " + leaf);
      }
      values[i] = leaf.isBigDecimal() ? leaf.decimalValue().floatValue() : leaf.floatValue();
    }
    return values;
  }

  /** A nested JSON list of integers, flattened; a decimal (say 7.0) fails. */
  static long[] integers(JsonNode nested) {
    List<JsonNode> leaves = new ArrayList<>();
    flatten(nested, leaves);
    long[] values = new long[leaves.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode leaf = leaves.get(i);
      if (!leaf.isIntegralNumber()) {
        throw new AssertionError("not written as an integer: " + leaf);
      }
      values[i] = leaf.longValue();
    }
    return values;
  }

  /** Each element's value of {@code key}, for a list of objects. */
  static List<JsonNode> field(JsonNode listOfObjects, String key) {
    List<JsonNode> values = new ArrayList<>();
    listOfObjects.forEach(element -> {
      JsonNode value = element.get(key);
      if (value == null) {
        throw new AssertionError("no '" + key + "' in " + element);
      }
      values.add(value);
    });
    return values;
  }

  static float[] floats(List<JsonNode> rows) {
    return floats(JSON.createArrayNode().addAll(rows));
  }

  static long[] integers(List<JsonNode> rows) {
    return integers(JSON.createArrayNode().addAll(rows));
  }

  private static void flatten(JsonNode node, List<JsonNode> leaves) {
    if (node.isArray()) {
      node.forEach(child -> flatten(child, leaves));
    } else {
      leaves.add(node);
    }
  }
}
