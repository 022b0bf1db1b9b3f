package org.tfrnn.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.VersionStatus;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.tensors.NdValue;

/**
 * TensorFlow Serving's REST API over the {@link ServedModels}:
 *
 * <pre>
 * GET  /v1/models/NAME[/versions/N|/labels/L]             version status
 * GET  /v1/models/NAME[/versions/N|/labels/L]/metadata    signatures
 * POST /v1/models/NAME[/versions/N|/labels/L]:predict     run a signature
 * POST /v1/models/NAME[/versions/N|/labels/L]:classify    classify tf.Examples ({@link
 * POST /v1/models/NAME[/versions/N|/labels/L]:regress     ExampleRequestJson}, {@link ExampleRuns})
 * </pre>
 *
 * Every answer is JSON; every error is {@code {"error": "..."}} with TensorFlow Serving's status
 * (400 bad request, 404 unknown model, version or path, 405 wrong method, 413 body over the limit,
 * 501 unimplemented, 503 shutting down, 504 a TensorFlow run cancelled at
 * the REST timeout, 500 the server's own failure, whose details go to the {@link ServerListener},
 * never to the client). Each request is counted in the {@link ServingMetrics} as TensorFlow
 * Serving counts it. Paths match case-insensitively, as TensorFlow Serving's do.
 */
final class RestApiHandler implements HttpHandler {
  private static final Pattern PREDICT_PATH = Pattern.compile(
      "/v1/models/([^/:]+)(?:/versions/(\\d+)|/labels/([^/:]+))?:([A-Za-z]+)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern STATUS_PATH = Pattern.compile(
      "/v1/models/([^/:]+)(?:/versions/(\\d+)|/labels/([^/:]+))?(/metadata)?",
      Pattern.CASE_INSENSITIVE);
  /** How much of an unwanted request body is read and dropped after answering. */
  private static final long LINGER_BYTES = 64L << 20;
  private static final String ENDPOINTS = "GET /v1/models/NAME[/versions/N|/labels/L]"
      + "[/metadata], POST /v1/models/NAME[/versions/N|/labels/L]:predict|:classify|:regress";

  private final ServedModels models;
  private final long maxRequestBytes;
  private final InFlightRequests inFlight;
  private final ServerListener listener;
  private final ServingMetrics metrics;
  private final Duration timeout;
  private final ExampleRuns exampleRuns;

  RestApiHandler(ServedModels models, long maxRequestBytes, InFlightRequests inFlight,
      ServerListener listener, ServingMetrics metrics, Duration timeout) {
    this.models = models;
    this.maxRequestBytes = maxRequestBytes;
    this.inFlight = inFlight;
    this.listener = listener;
    this.metrics = metrics;
    this.timeout = timeout;
    this.exampleRuns = new ExampleRuns(models, metrics);
  }

  /** An answer: HTTP status and JSON body. */
  private record Answer(int status, byte[] body) {
    static Answer ok(byte[] body) {
      return new Answer(200, body);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try (exchange) {
      if (!inFlight.enter()) {
        exchange.getResponseHeaders().set("Connection", "close");
        send(exchange, new Answer(503, ServingJson.error("the server is shutting down")));
        return;
      }
      try {
        Answer answer = answer(exchange);
        // Counted before the answer leaves, as TensorFlow Serving records it.
        countRequest(exchange.getRequestURI().getPath(), answer.status(), start);
        send(exchange, answer);
      } finally {
        inFlight.exit();
      }
    }
  }

  private Answer answer(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    try {
      return route(exchange, method, path);
    } catch (ServingException e) {
      if (e.httpStatus() == 413) {
        // The body was refused unread: after the answer (see send), the connection is not reused.
        exchange.getResponseHeaders().set("Connection", "close");
      }
      return new Answer(e.httpStatus(), ServingJson.error(e.getMessage()));
    } catch (PredictionException e) {
      if (e.reason() == PredictionException.Reason.MODEL_FAILED) {
        listener.requestFailed(method, path, e);
      }
      return new Answer(httpStatus(e.reason()), ServingJson.error(e.getMessage()));
    } catch (StatusRuntimeException e) {
      // The checks shared with gRPC (ExampleSignatures) answer in gRPC codes.
      return new Answer(httpStatus(e.getStatus().getCode()),
          ServingJson.error(e.getStatus().getDescription()));
    } catch (RuntimeException e) {
      listener.requestFailed(method, path, e);
      return new Answer(500, ServingJson.error("internal server error (" + e.getClass()
          .getSimpleName() + "); the server's log has the details"));
    }
  }

  private Answer route(HttpExchange exchange, String method, String path) {
    Matcher predict = PREDICT_PATH.matcher(path);
    if (predict.matches()) {
      requireMethod(exchange, "POST");
      String verb = predict.group(4).toLowerCase(Locale.ROOT);
      OptionalLong version = version(predict.group(2));
      String label = predict.group(3);
      VersionedModel model = models.require(predict.group(1), version.isPresent()
          ? "Specific(" + predict.group(1) + ", " + version.getAsLong() + ")"
          : "Latest(" + predict.group(1) + ")");
      return switch (verb) {
        case "predict" -> predict(exchange, model, version, label);
        case "classify" -> classify(exchange, model, version, label);
        case "regress" -> regress(exchange, model, version, label);
        default -> throw ServingException.notFound("unknown method ':" + verb + "' in " + path
            + "; this server answers " + ENDPOINTS);
      };
    }
    Matcher status = STATUS_PATH.matcher(path);
    if (status.matches()) {
      requireMethod(exchange, "GET");
      OptionalLong version = version(status.group(2));
      String label = status.group(3);
      VersionedModel model = models.get(status.group(1));
      if (model == null) {
        throw ServingException.notFound("Could not find any versions of model "
            + status.group(1));
      }
      return status.group(4) == null ? status(model, version, label)
          : metadata(model, version, label);
    }
    throw ServingException.notFound("no such endpoint: " + method + " " + path
        + "; this server answers " + ENDPOINTS);
  }

  private static void requireMethod(HttpExchange exchange, String allowed) {
    String method = exchange.getRequestMethod();
    if (!allowed.equals(method)) {
      exchange.getResponseHeaders().set("Allow", allowed);
      throw new ServingException(405, "method " + method + " is not allowed on "
          + exchange.getRequestURI().getPath() + "; use " + allowed);
    }
  }

  /** The status TensorFlow Serving's REST API answers for each reason. */
  private static int httpStatus(PredictionException.Reason reason) {
    return switch (reason) {
      case BAD_REQUEST -> 400;
      case NOT_FOUND -> 404;
      case UNAVAILABLE -> 503;
      case MODEL_FAILED -> 500;
      case DEADLINE_EXCEEDED -> 504;
    };
  }

  /** TensorFlow Serving's HTTP status for a gRPC code ({@code http_server.cc}). */
  private static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNAUTHENTICATED -> 401;
      case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
    };
  }

  /**
   * Counts a request as TensorFlow Serving's HTTP server does: the model and method named in the
   * path (empty if none), the status code its answer maps back to.
   */
  private void countRequest(String path, int httpStatus, long start) {
    String modelName = "";
    String api = "";
    Matcher predict = PREDICT_PATH.matcher(path);
    Matcher status = STATUS_PATH.matcher(path);
    if (predict.matches()) {
      modelName = predict.group(1);
      api = predict.group(4).toLowerCase(Locale.ROOT);
    } else if (status.matches()) {
      modelName = status.group(1);
    }
    metrics.requestDone(modelName, api, "REST", ServingMetrics.statusOfHttp(httpStatus), start);
  }

  private static OptionalLong version(String digits) {
    if (digits == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      throw PredictionException.badRequest("Failed to convert version: " + digits + " to numeric.");
    }
  }

  private static Answer status(VersionedModel model, OptionalLong version, String label) {
    if (label != null) {
      try (LoadedVersion.Hold hold = model.hold(OptionalLong.empty(), label)) {
        version = OptionalLong.of(hold.loaded().version());
      }
    }
    if (version.isEmpty()) {
      return Answer.ok(ServingJson.status(model.statuses()));
    }
    long wanted = version.getAsLong();
    VersionStatus status = model.status(wanted).orElseThrow(() ->
        ServingException.notFound("Could not find version " + wanted + " of model "
            + model.name()));
    return Answer.ok(ServingJson.status(List.of(status)));
  }

  private static Answer metadata(VersionedModel model, OptionalLong version, String label) {
    try (LoadedVersion.Hold hold = model.hold(version, label)) {
      LoadedVersion served = hold.loaded();
      return Answer.ok(ServingJson.metadata(model.name(), served.version(),
          served.predictor().signatureDefs()));
    }
  }

  private Answer predict(HttpExchange exchange, VersionedModel model, OptionalLong version,
      String label) {
    PredictRequestJson request = PredictRequestJson.parse(readBody(exchange));
    Map<String, NdValue> outputs;
    try (LoadedVersion.Hold hold = model.hold(version, label)) {
      Predictor predictor = hold.loaded().predictor();
      SignatureSpec signature = predictor.signature(request.signatureName());
      Map<String, NdValue> inputs = request.inputsFor(signature);
      PredictResponseJson.requireWritable(signature);
      long run = System.nanoTime();
      outputs = models.predict(model, hold.loaded(), signature.key(), inputs, null, timeout);
      metrics.runtimeDone(model.name(), "Predict", run);
    }
    ByteArrayOutputStream json = new ByteArrayOutputStream(8192);
    PredictResponseJson.write(outputs, request.format(), json);
    return Answer.ok(json.toByteArray());
  }

  private Answer classify(HttpExchange exchange, VersionedModel model, OptionalLong version,
      String label) {
    ExampleRequestJson.Request request = ExampleRequestJson.parse(readBody(exchange));
    try (LoadedVersion.Hold hold = model.hold(version, label)) {
      SignatureSpec signature = ExampleSignatures.classification(hold.loaded().predictor(),
          request.signatureName());
      return Answer.ok(ExampleRequestJson.classifications(exampleRuns.classify(model,
          hold.loaded(), signature, request.input(), "Classify", timeout)));
    }
  }

  private Answer regress(HttpExchange exchange, VersionedModel model, OptionalLong version,
      String label) {
    ExampleRequestJson.Request request = ExampleRequestJson.parse(readBody(exchange));
    try (LoadedVersion.Hold hold = model.hold(version, label)) {
      SignatureSpec signature = ExampleSignatures.regression(hold.loaded().predictor(),
          request.signatureName());
      return Answer.ok(ExampleRequestJson.regressions(exampleRuns.regress(model, hold.loaded(),
          signature, request.input(), "Regress", timeout)));
    }
  }

  /** The request body, refused with 413 before it is read if it is over the limit. */
  private byte[] readBody(HttpExchange exchange) {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    // Not closed here: send() reads what is left of an over-limit body after answering.
    InputStream in = exchange.getRequestBody();
    try {
      if (declared != null) {
        long length = parseLength(declared);
        if (length > maxRequestBytes) {
          throw tooLarge(length + " bytes");
        }
        byte[] body = new byte[(int) length];
        int read = in.readNBytes(body, 0, body.length);
        if (read < body.length) {
          throw PredictionException.badRequest("the request body ended after " + read + " of its "
              + length + " bytes");
        }
        return body;
      }
      // Chunked: read one byte past the limit to tell whether it is over.
      byte[] body = in.readNBytes((int) maxRequestBytes + 1);
      if (body.length > maxRequestBytes) {
        throw tooLarge("more than " + maxRequestBytes + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw PredictionException.badRequest("cannot read the request body: " + e.getMessage(), e);
    }
  }

  private static long parseLength(String declared) {
    try {
      long length = Long.parseLong(declared.trim());
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw PredictionException.badRequest("bad Content-Length: " + declared);
  }

  private ServingException tooLarge(String size) {
    return new ServingException(413, "the request body (" + size + ") is over this server's limit "
        + "of " + maxRequestBytes + " bytes (--max-request-bytes)");
  }

  /**
   * Sends the answer, then reads and discards what the client may still be sending (a body the
   * answer did not need, up to {@link #LINGER_BYTES}): closing a socket with unread input resets
   * the connection, and the client would lose the answer, a 413 above all.
   */
  private static void send(HttpExchange exchange, Answer answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), answer.body().length);
    try (OutputStream out = exchange.getResponseBody();
        InputStream in = exchange.getRequestBody()) {
      out.write(answer.body());
      out.flush();
      byte[] discard = new byte[8192];
      long discarded = 0;
      for (int n; discarded < LINGER_BYTES && (n = in.read(discard)) >= 0; ) {
        discarded += n;
      }
    }
  }
}
