import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * The two ways a client calls {@code :predict} on a running server, as a {@link Load.Caller}
 * each: REST (JDK HttpClient, HTTP/1.1 keep-alive) and gRPC (grpc-java, TF Serving's
 * {@code PredictionService}). Each caller has its own connection, as separate callers would.
 * Every answer is checked; a wrong one throws and stops the run.
 */
final class ServingClients {
  private static final String PREDICT_ANSWER = "{\"predictions\"";
  private static final String SIGNATURE = "serving_default";

  private ServingClients() {}

  /** REST {@code POST MODEL_URL:predict}, the row format ({@code {"instances": [...]}}). */
  static final class Rest implements Load.Caller {
    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private HttpRequest request;
    private int requestBytes;

    /** Calls will send the first {@code batch} of {@code images} to {@code modelUrl}. */
    Rest use(String modelUrl, float[] images, int batch) {
      byte[] body = rowFormat(images, batch);
      requestBytes = body.length;
      request = HttpRequest.newBuilder(URI.create(modelUrl + ":predict"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      return this;
    }

    int requestBytes() {
      return requestBytes;
    }

    @Override
    public void call() throws Exception {
      HttpResponse<byte[]> response = client.send(request,
          HttpResponse.BodyHandlers.ofByteArray());
      String head = new String(response.body(), 0, Math.min(200, response.body().length),
          StandardCharsets.UTF_8);
      if (response.statusCode() != 200 || !head.startsWith(PREDICT_ANSWER)) {
        throw new IllegalStateException("REST: HTTP " + response.statusCode() + ": " + head);
      }
    }

    /** {@code {"instances": [image, ...]}}: no input name, so a single-input signature takes it. */
    static byte[] rowFormat(float[] images, int batch) {
      float[] pixels = Load.images(images, batch);
      StringBuilder json = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < batch; i++) {
        json.append(i == 0 ? "[" : ", [");
        for (int row = 0; row < 28; row++) {
          json.append(row == 0 ? "[" : ", [");
          for (int col = 0; col < 28; col++) {
            json.append(col == 0 ? "" : ", ").append(pixels[i * Load.PIXELS + row * 28 + col]);
          }
          json.append(']');
        }
        json.append(']');
      }
      return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** gRPC {@code PredictionService.Predict}, the input as a packed float32 tensor_content. */
  static final class Grpc implements Load.Caller, AutoCloseable {
    private final ManagedChannel channel;
    private final PredictionServiceGrpc.PredictionServiceBlockingStub stub;
    private final String model;
    private PredictRequest request;
    private int batch;

    Grpc(int port, String model) {
      // Plaintext on loopback, as the server binds there; 64 MiB answers for large batches.
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      stub = PredictionServiceGrpc.newBlockingStub(channel);
      this.model = model;
    }

    /** The serving_default signature's one input name, from GetModelMetadata. */
    String inputName() throws Exception {
      GetModelMetadataResponse metadata = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .getModelMetadata(GetModelMetadataRequest.newBuilder()
              .setModelSpec(ModelSpec.newBuilder().setName(model))
              .addMetadataField("signature_def").build());
      SignatureDef signature = metadata.getMetadataOrThrow("signature_def")
          .unpack(SignatureDefMap.class).getSignatureDefOrThrow(SIGNATURE);
      if (signature.getInputsCount() != 1) {
        throw new IllegalStateException(SIGNATURE + " of model " + model + " has inputs "
            + signature.getInputsMap().keySet() + "; the benchmark feeds exactly one");
      }
      return signature.getInputsMap().keySet().iterator().next();
    }

    /** Calls will send the first {@code batch} of {@code images} as input {@code inputName}. */
    Grpc use(String inputName, float[] images, int batch) {
      float[] pixels = Load.images(images, batch);
      ByteBuffer content = ByteBuffer.allocate(pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      content.asFloatBuffer().put(pixels);
      TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
          .setTensorShape(TensorShapeProto.newBuilder()
              .addDim(TensorShapeProto.Dim.newBuilder().setSize(batch))
              .addDim(TensorShapeProto.Dim.newBuilder().setSize(28))
              .addDim(TensorShapeProto.Dim.newBuilder().setSize(28)))
          .setTensorContent(ByteString.copyFrom(content.array())).build();
      request = PredictRequest.newBuilder()
          .setModelSpec(ModelSpec.newBuilder().setName(model).setSignatureName(SIGNATURE))
          .putInputs(inputName, tensor).build();
      this.batch = batch;
      return this;
    }

    int requestBytes() {
      return request.getSerializedSize();
    }

    @Override
    public void call() {
      PredictResponse response = stub.withDeadlineAfter(60, TimeUnit.SECONDS).predict(request);
      // Every output of this signature is batch-major: its first dimension must be our batch.
      for (var output : response.getOutputsMap().entrySet()) {
        TensorShapeProto shape = output.getValue().getTensorShape();
        if (shape.getDimCount() == 0 || shape.getDim(0).getSize() != batch) {
          throw new IllegalStateException("gRPC: output '" + output.getKey() + "' has shape "
              + shape.getDimList() + " for a batch of " + batch);
        }
      }
      if (response.getOutputsCount() == 0) {
        throw new IllegalStateException("gRPC: an answer with no outputs");
      }
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }
}
