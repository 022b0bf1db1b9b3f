package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tfrnn.interop.PythonProcess;
import org.tfrnn.metrics.PrometheusText;
import org.tfrnn.metrics.ServingMetrics;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * gRPC Classify, Regress and MultiInference against a SavedModel that Python TensorFlow writes at
 * test time (python/write_example_model.py: {@code tf.io.parse_example} and a linear model, with
 * TensorFlow's classification and regression signatures): the answers equal Python's within 1e-6,
 * for an example list and for examples with a context (which Python merges with protobuf's
 * MergeFrom), also through TensorFlow Serving's own Python client (python/serving_example_client.py);
 * the refusals carry TensorFlow Serving's status codes and texts. The same over REST
 * ({@code :classify}, {@code :regress}), with TensorFlow Serving's {@code Classify} and
 * {@code Regress} cases of {@code http_rest_api_handler_test.cc} on the half_plus_two signatures
 * the script adds ({@code regress_x_to_y}, {@code classify_x_to_y}) and their expected answers.
 */
class GrpcClassifyRegressIT {
  private static final String MODEL = "examples";
  private static final String METRICS = "/monitoring/prometheus/metrics";

  @TempDir
  static Path temp;

  private static JsonNode python;
  private static ModelServer server;
  private static GrpcServer grpc;
  private static ManagedChannel channel;
  private static PredictionServiceBlockingStub stub;
  private static RestClient rest;

  @BeforeAll
  static void start() throws Exception {
    Path base = temp.resolve("model");
    PythonProcess.Outcome outcome = PythonProcess.run("write_example_model.py", "--out",
        base.toString());
    assertEquals(0, outcome.exitCode(), outcome.describe());
    python = new ObjectMapper().readTree(outcome.lastLine());
    server = ModelServer.start(ServerConfig.builder(MODEL, base).port(0).prometheusPath(METRICS)
        .build());
    grpc = GrpcServer.start(server, 0);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    stub = PredictionServiceGrpc.newBlockingStub(channel);
    rest = new RestClient(server);
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void classifyEqualsPythonOnTheDefaultSignature() {
    ClassificationResponse answer = stub.classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("")).setInput(exampleList()).build());
    assertEquals(answeredSpec("serving_default"), answer.getModelSpec());
    assertClassification(python.get("example_list"), answer.getResult(), true);
  }

  @Test
  void classifyMergesTheContextIntoEachExample() {
    ClassificationResponse answer = stub.classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("classify")).setInput(withContext()).build());
    assertClassification(python.get("with_context"), answer.getResult(), true);
  }

  @Test
  void classifyWithScoresOnlyGivesNoLabels() {
    ClassificationResponse answer = stub.classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("scores_only")).setInput(exampleList()).build());
    assertClassification(python.get("example_list"), answer.getResult(), false);
  }

  @Test
  void regressEqualsPython() {
    for (String side : List.of("example_list", "with_context")) {
      RegressionResponse answer = stub.regress(RegressionRequest.newBuilder()
          .setModelSpec(spec("regress"))
          .setInput(side.equals("example_list") ? exampleList() : withContext()).build());
      assertEquals(answeredSpec("regress"), answer.getModelSpec());
      assertRegression(python.get(side), answer.getResult());
    }
  }

  @Test
  void multiInferenceAnswersEachTask() {
    MultiInferenceResponse answer = stub.multiInference(MultiInferenceRequest.newBuilder()
        .addTasks(task("classify", ExampleSignatures.CLASSIFY_METHOD))
        .addTasks(task("regress", ExampleSignatures.REGRESS_METHOD))
        .setInput(withContext()).build());
    assertEquals(2, answer.getResultsCount());
    assertEquals(answeredSpec("classify"), answer.getResults(0).getModelSpec());
    assertClassification(python.get("with_context"),
        answer.getResults(0).getClassificationResult(), true);
    assertEquals(answeredSpec("regress"), answer.getResults(1).getModelSpec());
    assertRegression(python.get("with_context"), answer.getResults(1).getRegressionResult());
  }

  /** TensorFlow Serving's own Python client gets the answers Python TensorFlow computed. */
  @Test
  void pythonServingClientGetsPythonsAnswers() throws Exception {
    PythonProcess.Outcome outcome = PythonProcess.run("serving_example_client.py", "--target",
        "127.0.0.1:" + grpc.port(), "--model", MODEL);
    assertEquals(0, outcome.exitCode(), outcome.describe());
    JsonNode client = new ObjectMapper().readTree(outcome.lastLine());
    for (String[] pair : new String[][] {{"classify", "example_list"},
        {"multi_classify", "with_context"}}) {
      JsonNode want = python.get(pair[1]);
      assertEquals(want.get("classes"), client.get(pair[0]).get("classes"), pair[0]);
      assertClose(want.get("scores"), client.get(pair[0]).get("scores"), pair[0]);
    }
    assertClose(python.at("/with_context/values"), client.at("/regress/values"), "regress");
    assertClose(python.at("/with_context/values"), client.at("/multi_regress/values"),
        "multi_regress");
    assertEquals("INVALID_ARGUMENT", client.get("wrong_method").asText());
  }

  private static void assertClose(JsonNode want, JsonNode got, String what) {
    assertEquals(want.size(), got.size(), what);
    for (int i = 0; i < want.size(); i++) {
      if (want.get(i).isArray()) {
        assertClose(want.get(i), got.get(i), what + "[" + i + "]");
      } else {
        assertEquals(want.get(i).asDouble(), got.get(i).asDouble(), 1e-6, what + "[" + i + "]");
      }
    }
  }

  @Test
  void refusalsCarryTensorFlowServingsCodesAndTexts() throws Exception {
    refused(Status.Code.INVALID_ARGUMENT, "Expected classification signature method_name to be "
        + "tensorflow/serving/classify. Was: tensorflow/serving/predict",
        () -> stub.classify(classify("predict", exampleList())));
    refused(Status.Code.INVALID_ARGUMENT, "Expected classification signature method_name to be "
        + "tensorflow/serving/classify. Was: tensorflow/serving/regress",
        () -> stub.classify(classify("regress", exampleList())));
    refused(Status.Code.INVALID_ARGUMENT, "Expected regression signature method_name to be "
        + "tensorflow/serving/regress. Was: tensorflow/serving/classify",
        () -> stub.regress(regress("classify", exampleList())));
    refused(Status.Code.INVALID_ARGUMENT, "No signature was found with the name: nope",
        () -> stub.classify(classify("nope", exampleList())));
    refused(Status.Code.INVALID_ARGUMENT, "Input is empty.",
        () -> stub.classify(classify("classify", Input.getDefaultInstance())));
    refused(Status.Code.INVALID_ARGUMENT, "Input is empty.",
        () -> stub.regress(regress("regress", Input.newBuilder()
            .setExampleList(ExampleList.getDefaultInstance()).build())));
    refused(Status.Code.INVALID_ARGUMENT, "Expected output Tensor shape to be either "
        + "[batch_size] or [batch_size, 1] but got [3,2]",
        () -> stub.regress(regress("regress_wide", exampleList())));
    refused(Status.Code.NOT_FOUND, null, () -> stub.classify(ClassificationRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("nope")).setInput(exampleList()).build()));
    // An example without the feature "x" the graph requires: TensorFlow's parse refuses it.
    refused(Status.Code.INVALID_ARGUMENT, null, () -> stub.classify(classify("classify",
        Input.newBuilder().setExampleList(ExampleList.newBuilder()
            .addExamples(example(Map.of("c", new float[] {1f})))).build())));

    refused(Status.Code.INVALID_ARGUMENT, "Duplicate evaluation of signature: regress",
        () -> stub.multiInference(MultiInferenceRequest.newBuilder()
            .addTasks(task("regress", ExampleSignatures.REGRESS_METHOD))
            .addTasks(task("regress", ExampleSignatures.REGRESS_METHOD))
            .setInput(exampleList()).build()));
    refused(Status.Code.INVALID_ARGUMENT, "All ModelSpecs in a MultiInferenceRequest must access "
        + "the same model name.", () -> stub.multiInference(MultiInferenceRequest.newBuilder()
            .addTasks(task("regress", ExampleSignatures.REGRESS_METHOD))
            .addTasks(InferenceTask.newBuilder().setModelSpec(ModelSpec.newBuilder()
                .setName("other").setSignatureName("classify"))
                .setMethodName(ExampleSignatures.CLASSIFY_METHOD))
            .setInput(exampleList()).build()));
    refused(Status.Code.UNIMPLEMENTED, "Unsupported signature method_name: "
        + "tensorflow/serving/predict", () -> stub.multiInference(MultiInferenceRequest
            .newBuilder().addTasks(task("predict", "tensorflow/serving/predict"))
            .setInput(exampleList()).build()));

    // Classify and Regress are counted as TensorFlow Serving counts them, by status.
    Map<String, PrometheusText.Family> families =
        PrometheusText.parse(ServingMetricsTestSupport.scrape(server));
    String count = ServingMetrics.REQUEST_COUNT;
    assertEquals(1, PrometheusText.value(families, count, count,
        Map.of("model_name", "nope", "status", "NOT_FOUND")));
  }

  @Test
  void restClassifyEqualsPython() {
    JsonNode plain = restResults(":classify", "", false);
    assertRestClassification(python.get("example_list"), plain, true);
    assertRestClassification(python.get("with_context"), restResults(":classify", "classify",
        true), true);
    // No classes output: TensorFlow Serving writes an empty label.
    assertRestClassification(python.get("example_list"), restResults(":classify", "scores_only",
        false), false);
  }

  @Test
  void restRegressEqualsPython() {
    assertClose(python.at("/example_list/values"), restResults(":regress", "regress", false),
        "regress");
    assertClose(python.at("/with_context/values"), restResults("/versions/1:regress", "regress",
        true), "regress with context");
  }

  /** TensorFlow Serving's HttpRestApiHandlerTest Regress and Classify cases, their answers. */
  @Test
  void restTensorFlowServingHandlerCases() throws Exception {
    String regress = xToY("regress_x_to_y", "80.0");
    for (String path : List.of(":regress", "/versions/1:regress")) {
      RestClient.Reply reply = rest.post("/v1/models/" + MODEL + path, regress);
      assertEquals("application/json", reply.headers().firstValue("Content-Type").orElseThrow());
      assertJsonEquals("{ \"results\": [42] }", reply);
    }
    assertJsonEquals("{ \"results\": [[[\"\", 12]]] }", rest.post("/v1/models/" + MODEL
        + ":classify", xToY("classify_x_to_y", "20.0")));
    assertJsonEquals("{ \"results\": [[[\"\", 7]]] }", rest.post("/v1/models/" + MODEL
        + ":classify", xToY("classify_x_to_y", "10.0")));
  }

  /** Their request: {@code {"signature_name": S, "examples": [ { "x": X } ] }}. */
  private static String xToY(String signature, String x) {
    return "{\"signature_name\": \"" + signature + "\", \"examples\": [ { \"x\": " + x
        + " } ] }";
  }

  @Test
  void restRefusalsCarryTensorFlowServingsStatusesAndTexts() throws Exception {
    String examples = "\"examples\": " + python.get("examples");
    restRefused(400, "Expected classification signature method_name to be "
        + "tensorflow/serving/classify. Was: tensorflow/serving/predict", ":classify",
        "{\"signature_name\": \"predict\", " + examples + "}");
    restRefused(400, "Expected regression signature method_name to be "
        + "tensorflow/serving/regress. Was: tensorflow/serving/classify", ":regress",
        "{" + examples + "}");
    restRefused(400, "No signature was found with the name: nope", ":regress",
        "{\"signature_name\": \"nope\", " + examples + "}");
    restRefused(400, "Expected output Tensor shape to be either [batch_size] or "
        + "[batch_size, 1] but got [3,2]", ":regress",
        "{\"signature_name\": \"regress_wide\", " + examples + "}");
    restRefused(400, "Unexpected element type in feature: x expecting type: int64", ":classify",
        "{\"examples\": [{\"x\": [1, 2.5, 3]}]}");
    restRefused(400, "'examples' value is an empty array", ":classify", "{\"examples\": []}");
    // Integers make an int64_list, which the graph's float feature "x" refuses (TensorFlow's
    // parse_example, a bad request as TensorFlow Serving answers it).
    assertEquals(400, rest.post("/v1/models/" + MODEL + ":classify",
        "{\"examples\": [{\"x\": [1, 2, 3]}]}").status());
    assertEquals(404, rest.post("/v1/models/nope:classify", "{" + examples + "}").status());

    // REST Classify and Regress are counted as the gRPC ones are.
    String latency = ServingMetrics.REQUEST_LATENCY;
    Map<String, String> classify = Map.of("model_name", MODEL, "API", "classify",
        "entrypoint", "REST");
    double before = PrometheusText.value(PrometheusText.parse(
        ServingMetricsTestSupport.scrape(server)), latency, latency + "_count", classify);
    restResults(":classify", "classify", true);
    assertEquals(before + 1, PrometheusText.value(PrometheusText.parse(
        ServingMetricsTestSupport.scrape(server)), latency, latency + "_count", classify));
  }

  private static void restRefused(int status, String error, String verb, String body) {
    RestClient.Reply reply = rest.post("/v1/models/" + MODEL + verb, body);
    assertEquals(status, reply.status(), reply.body());
    assertEquals(error, reply.error());
  }

  /** The "results" of a REST call on Python's examples, with or without Python's context. */
  private static JsonNode restResults(String verb, String signature, boolean withContext) {
    StringBuilder body = new StringBuilder("{\"signature_name\": \"" + signature + "\", ");
    if (withContext) {
      List<Map<String, JsonNode>> xs = new ArrayList<>();
      python.get("examples").forEach(e -> xs.add(Map.of("x", e.get("x"))));
      body.append("\"context\": ").append(python.get("context")).append(", \"examples\": ")
          .append(new ObjectMapper().valueToTree(xs).toString());
    } else {
      body.append("\"examples\": ").append(python.get("examples"));
    }
    RestClient.Reply reply = rest.post("/v1/models/" + MODEL + verb, body.append('}').toString());
    assertEquals(200, reply.status(), reply.body());
    return reply.json().get("results");
  }

  private static void assertRestClassification(JsonNode want, JsonNode got, boolean labels) {
    JsonNode scores = want.get("scores");
    assertEquals(scores.size(), got.size());
    for (int i = 0; i < scores.size(); i++) {
      assertEquals(scores.get(i).size(), got.get(i).size());
      for (int c = 0; c < scores.get(i).size(); c++) {
        JsonNode pair = got.get(i).get(c);
        assertEquals(labels ? want.get("classes").get(i).get(c).asText() : "",
            pair.get(0).asText());
        assertEquals(scores.get(i).get(c).asDouble(), pair.get(1).asDouble(), 1e-6);
      }
    }
  }

  private static void assertJsonEquals(String want, RestClient.Reply got) throws Exception {
    assertEquals(200, got.status(), got.body());
    assertSameJson(RestClient.JSON.readTree(want), got.json(), "$");
  }

  /** Equal JSON, numbers compared as numbers (they write 42, we write 42.0). */
  private static void assertSameJson(JsonNode want, JsonNode got, String where) {
    if (want.isNumber()) {
      assertTrue(got.isNumber(), where + ": " + got);
      assertEquals(want.asDouble(), got.asDouble(), 1e-6, where);
    } else if (want.isArray()) {
      assertEquals(want.size(), got.size(), where);
      for (int i = 0; i < want.size(); i++) {
        assertSameJson(want.get(i), got.get(i), where + "[" + i + "]");
      }
    } else if (want.isObject()) {
      assertEquals(want.size(), got.size(), where);
      want.fieldNames().forEachRemaining(name ->
          assertSameJson(want.get(name), got.get(name), where + "." + name));
    } else {
      assertEquals(want, got, where);
    }
  }

  private static void refused(Status.Code code, String description, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.toString());
    if (description != null) {
      assertEquals(description, e.getStatus().getDescription());
    }
  }

  private static void assertClassification(JsonNode want, ClassificationResult got,
      boolean labels) {
    JsonNode scores = want.get("scores");
    assertEquals(scores.size(), got.getClassificationsCount());
    for (int i = 0; i < scores.size(); i++) {
      var classes = got.getClassifications(i).getClassesList();
      assertEquals(scores.get(i).size(), classes.size());
      for (int c = 0; c < classes.size(); c++) {
        assertEquals(scores.get(i).get(c).asDouble(), classes.get(c).getScore(), 1e-6);
        assertEquals(labels ? want.get("classes").get(i).get(c).asText() : "",
            classes.get(c).getLabel());
      }
    }
  }

  private static void assertRegression(JsonNode want, RegressionResult got) {
    JsonNode values = want.get("values");
    assertEquals(values.size(), got.getRegressionsCount());
    for (int i = 0; i < values.size(); i++) {
      assertEquals(values.get(i).asDouble(), got.getRegressions(i).getValue(), 1e-6);
    }
  }

  private static ModelSpec spec(String signature) {
    return ModelSpec.newBuilder().setName(MODEL).setSignatureName(signature).build();
  }

  private static ModelSpec answeredSpec(String signature) {
    return ModelSpec.newBuilder().setName(MODEL).setSignatureName(signature)
        .setVersion(com.google.protobuf.Int64Value.of(1)).build();
  }

  private static ClassificationRequest classify(String signature, Input input) {
    return ClassificationRequest.newBuilder().setModelSpec(spec(signature)).setInput(input)
        .build();
  }

  private static RegressionRequest regress(String signature, Input input) {
    return RegressionRequest.newBuilder().setModelSpec(spec(signature)).setInput(input).build();
  }

  private static InferenceTask task(String signature, String method) {
    return InferenceTask.newBuilder().setModelSpec(spec(signature)).setMethodName(method).build();
  }

  private static Input exampleList() {
    ExampleList.Builder list = ExampleList.newBuilder();
    for (JsonNode e : python.get("examples")) {
      list.addExamples(example(Map.of("x", floats(e.get("x")), "c", floats(e.get("c")))));
    }
    return Input.newBuilder().setExampleList(list).build();
  }

  /** The same examples without "c", which the context gives. */
  private static Input withContext() {
    ExampleListWithContext.Builder list = ExampleListWithContext.newBuilder()
        .setContext(example(Map.of("c", floats(python.at("/context/c")))));
    for (JsonNode e : python.get("examples")) {
      list.addExamples(example(Map.of("x", floats(e.get("x")))));
    }
    return Input.newBuilder().setExampleListWithContext(list).build();
  }

  private static Example example(Map<String, float[]> features) {
    Features.Builder all = Features.newBuilder();
    features.forEach((key, values) -> {
      FloatList.Builder list = FloatList.newBuilder();
      for (float v : values) {
        list.addValue(v);
      }
      all.putFeature(key, Feature.newBuilder().setFloatList(list).build());
    });
    return Example.newBuilder().setFeatures(all).build();
  }

  private static float[] floats(JsonNode array) {
    List<Float> values = new ArrayList<>();
    array.forEach(v -> values.add((float) v.asDouble()));
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
