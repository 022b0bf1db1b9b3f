package org.tfrnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tfrnn.serve.ServingFixtures.BASIC_RNN_DENSE;
import static org.tfrnn.serve.ServingFixtures.KERAS_LSTM;
import static org.tfrnn.serve.ServingFixtures.STATIC_LSTM;
import static org.tfrnn.serve.ServingFixtures.maxAbsDiff;

import com.google.protobuf.Int64Value;
import com.google.protobuf.TextFormat;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.inference.VersionPolicy;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Several models from one TensorFlow Serving model config file, each with its version policy
 * and labels, over REST and gRPC; then {@code HandleReloadConfigRequest} adds one model and
 * removes another. Which version answered is told by the gRPC answer's model_spec and checked
 * by the numbers: each fixture's logits as Python recorded them.
 */
class ModelConfigServingTest {
  private static final int N = 3;

  @TempDir
  Path temp;

  private static String config(String... entries) {
    return "model_config_list {\n" + String.join("\n", entries) + "\n}\n";
  }

  @Test
  void twoModelsWithLabelsThenAReloadThatAddsAndRemovesAModel() throws Exception {
    Path mnist = Files.createDirectories(temp.resolve("mnist"));
    ServingFixtures.publishVersion(STATIC_LSTM, mnist, 1);
    ServingFixtures.publishVersion(BASIC_RNN_DENSE, mnist, 2);
    Path keras = Files.createDirectories(temp.resolve("keras"));
    ServingFixtures.publishVersion(KERAS_LSTM, keras, 3);
    Path configFile = temp.resolve("models.config");
    Files.writeString(configFile, config(
        "config { name: 'mnist' base_path: '" + mnist + "' model_platform: 'tensorflow'",
        "  model_version_policy { all {} }",
        "  version_labels { key: 'stable' value: 1 }",
        "  version_labels { key: 'canary' value: 2 } }",
        "config { name: 'keras' base_path: '" + keras + "' }"));
    List<ServedModelConfig> models = ServedModelConfig.read(configFile);
    assertEquals(List.of(new ServedModelConfig("mnist", mnist, VersionPolicy.all(),
        Map.of("stable", 1L, "canary", 2L)), ServedModelConfig.latest("keras", keras)), models);

    ServingFixtures.Expected staticLstm = ServingFixtures.expected(STATIC_LSTM);
    ServingFixtures.Expected basicRnn = ServingFixtures.expected(BASIC_RNN_DENSE);
    ServingFixtures.Expected kerasLstm = ServingFixtures.expected(KERAS_LSTM);
    try (ModelServer server = ModelServer.start(ServerConfig.of("mnist", mnist).withPort(0),
            models, ServerListener.NONE);
        GrpcServer grpc = GrpcServer.start(server, 0)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port())
          .usePlaintext().build();
      try {
        var predictions = PredictionServiceGrpc.newBlockingStub(channel);
        var modelService = ModelServiceGrpc.newBlockingStub(channel);
        RestClient rest = new RestClient(server);

        // mnist: both versions served, each reachable by label; the plain request gets the
        // highest.
        assertEquals(List.of(2L, 1L), modelService.getModelStatus(GetModelStatusRequest
            .newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist")).build())
            .getModelVersionStatusList().stream()
            .filter(s -> s.getState() == ModelVersionStatus.State.AVAILABLE)
            .map(ModelVersionStatus::getVersion).toList());
        PredictResponse stable = predictions.predict(request(ModelSpec.newBuilder()
            .setName("mnist").setVersionLabel("stable"), "x", staticLstm));
        assertEquals(1, stable.getModelSpec().getVersion().getValue());
        assertTrue(maxAbsDiff(staticLstm.floats("logits", 0, N),
            floats(stable, "logits")) <= 1e-5);
        PredictResponse canary = predictions.predict(request(ModelSpec.newBuilder()
            .setName("mnist").setVersionLabel("canary"), "x", basicRnn));
        assertEquals(2, canary.getModelSpec().getVersion().getValue());
        assertTrue(maxAbsDiff(basicRnn.floats("logits", 0, N),
            floats(canary, "logits")) <= 1e-5);
        assertEquals(2, predictions.predict(request(ModelSpec.newBuilder().setName("mnist"),
            "x", basicRnn)).getModelSpec().getVersion().getValue());
        StatusRuntimeException unknownLabel = assertThrows(StatusRuntimeException.class, () ->
            predictions.predict(request(ModelSpec.newBuilder().setName("mnist")
                .setVersionLabel("nope"), "x", staticLstm)));
        assertEquals(Status.Code.INVALID_ARGUMENT, unknownLabel.getStatus().getCode());

        // REST: the label routes.
        RestClient.Reply byLabel = rest.post("/v1/models/mnist/labels/stable:predict",
            RestClient.rows(staticLstm.images(0, N)));
        assertEquals(200, byLabel.status(), byLabel.body());
        assertTrue(maxAbsDiff(staticLstm.floats("logits", 0, N), RestClient.floats(
            RestClient.field(byLabel.json().get("predictions"), "logits"))) <= 1e-5);
        assertEquals("2", rest.get("/v1/models/mnist/labels/canary").json()
            .at("/model_version_status/0/version").asText());
        assertEquals("1", rest.get("/v1/models/mnist/labels/stable/metadata").json()
            .at("/model_spec/version").asText());
        assertEquals(400, rest.post("/v1/models/mnist/labels/nope:predict",
            RestClient.rows(staticLstm.images(0, 1))).status());

        // keras: its own model, by name.
        PredictResponse fromKeras = predictions.predict(request(ModelSpec.newBuilder()
            .setName("keras"), "keras_tensor", kerasLstm));
        assertEquals(3, fromKeras.getModelSpec().getVersion().getValue());
        assertTrue(maxAbsDiff(kerasLstm.floats("output_0", 0, N),
            floats(fromKeras, "output_0")) <= 1e-5);

        // Reload: keep keras, drop mnist, add a new model.
        Path added = Files.createDirectories(temp.resolve("added"));
        ServingFixtures.publishVersion(STATIC_LSTM, added, 5);
        modelService.handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
            .setConfig(parse(config("config { name: 'keras' base_path: '" + keras + "' }",
                "config { name: 'added' base_path: '" + added + "' }")))
            .build());
        assertEquals(List.of("added", "keras"), server.modelNames());
        StatusRuntimeException removed = assertThrows(StatusRuntimeException.class, () ->
            predictions.predict(request(ModelSpec.newBuilder().setName("mnist"), "x",
                staticLstm)));
        assertEquals(Status.Code.NOT_FOUND, removed.getStatus().getCode());
        assertEquals(404, rest.get("/v1/models/mnist").status());
        PredictResponse fromAdded = predictions.predict(request(ModelSpec.newBuilder()
            .setName("added").setVersion(Int64Value.of(5)), "x", staticLstm));
        assertTrue(maxAbsDiff(staticLstm.floats("logits", 0, N),
            floats(fromAdded, "logits")) <= 1e-5);

        // A label on a version that is not served is refused, and nothing changes.
        StatusRuntimeException badLabel = assertThrows(StatusRuntimeException.class, () ->
            modelService.handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
                .setConfig(parse(config("config { name: 'added' base_path: '" + added
                    + "' version_labels { key: 'old' value: 4 } }"))).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, badLabel.getStatus().getCode());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aBadConfigFileIsOneLineNamingTheFile() throws IOException {
    Path file = temp.resolve("bad.config");
    Files.writeString(file, "model_config_list { config { name: 'a' base_pth: '/x' } }");
    IOException parse = assertThrows(IOException.class, () -> ServedModelConfig.read(file));
    assertTrue(parse.getMessage().contains(file.toString()) && parse.getMessage()
        .contains("base_pth"), parse.getMessage());
    assertEquals(1, parse.getMessage().lines().count(), parse.getMessage());
    Files.writeString(file, "model_config_list { config { name: 'a' base_path: '/x' } "
        + "config { name: 'a' base_path: '/y' } }");
    assertTrue(assertThrows(IOException.class, () -> ServedModelConfig.read(file)).getMessage()
        .contains("two model configs are named 'a'"));
    Files.writeString(file, "model_config_list { config { name: 'a' base_path: '/x' "
        + "model_version_policy { specific { versions: 2 versions: 7 } } } }");
    assertEquals(VersionPolicy.specific(Set.of(2L, 7L)),
        ServedModelConfig.read(file).get(0).policy());
    Path missing = temp.resolve("absent.config");
    assertEquals("cannot read the model config file " + missing + ": it does not exist",
        assertThrows(IOException.class, () -> ServedModelConfig.read(missing)).getMessage());
  }

  private static ModelServerConfig parse(String text) throws TextFormat.ParseException {
    ModelServerConfig.Builder config = ModelServerConfig.newBuilder();
    TextFormat.merge(text, config);
    return config.build();
  }

  private static PredictRequest request(ModelSpec.Builder spec, String inputKey,
      ServingFixtures.Expected expected) {
    NdValue images = NdValue.ofFloats(expected.images(0, N), N, 28, 28);
    return PredictRequest.newBuilder().setModelSpec(spec)
        .putInputs(inputKey, TensorProtoValues.toProto(images)).build();
  }

  private static float[] floats(PredictResponse response, String output) {
    return TensorProtoValues.toNdValue(output, response.getOutputsOrThrow(output)).floats();
  }
}
