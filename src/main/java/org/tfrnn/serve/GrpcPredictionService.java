package org.tfrnn.serve;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;

/**
 * TensorFlow Serving's {@code tensorflow.serving.PredictionService} over the served models:
 * {@code Predict} and {@code GetModelMetadata}. {@code Classify}, {@code Regress} and
 * {@code MultiInference} take serialized {@code tf.Example}s (string tensors), which this server
 * does not feed: they answer {@code UNIMPLEMENTED}.
 */
final class GrpcPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {
  static final String SIGNATURE_DEF_FIELD = "signature_def";

  private final ServedModels models;
  private final GrpcCalls calls;

  GrpcPredictionService(ServedModels models, GrpcCalls calls) {
    this.models = models;
    this.calls = calls;
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> answer) {
    calls.answer("Predict", answer, () -> {
      ModelSpec spec = GrpcCalls.requireSpec(request.hasModelSpec(), request.getModelSpec());
      VersionedModel model = GrpcCalls.model(models, spec);
      try (LoadedVersion.Hold hold = GrpcCalls.hold(model, spec)) {
        Predictor predictor = hold.loaded().predictor();
        SignatureSpec signature = GrpcCalls.signature(predictor, spec.getSignatureName());
        Map<String, NdValue> inputs = new LinkedHashMap<>();
        request.getInputsMap().forEach((key, tensor) ->
            inputs.put(key, TensorProtoValues.toNdValue(key, tensor)));
        List<String> filter = request.getOutputFilterList();
        if (filter.size() != filter.stream().distinct().count()) {
          throw PredictionException.badRequest("duplicate output tensor alias in output_filter "
              + filter);
        }
        Map<String, NdValue> outputs = models.predict(model, hold.loaded(), signature.key(),
            inputs, filter);
        PredictResponse.Builder response = PredictResponse.newBuilder()
            .setModelSpec(answeredSpec(model.name(), hold.loaded().version(), signature.key()));
        outputs.forEach((key, value) -> response.putOutputs(key, TensorProtoValues.toProto(value)));
        return response.build();
      }
    });
  }

  @Override
  public void getModelMetadata(GetModelMetadataRequest request,
      StreamObserver<GetModelMetadataResponse> answer) {
    calls.answer("GetModelMetadata", answer, () -> {
      ModelSpec spec = GrpcCalls.requireSpec(request.hasModelSpec(), request.getModelSpec());
      if (request.getMetadataFieldCount() == 0) {
        throw PredictionException.badRequest("GetModelMetadataRequest must specify at least one "
            + "metadata_field");
      }
      for (String field : request.getMetadataFieldList()) {
        if (!field.equals(SIGNATURE_DEF_FIELD)) {
          throw PredictionException.badRequest("Metadata field " + field + " is not supported");
        }
      }
      VersionedModel model = GrpcCalls.model(models, spec);
      try (LoadedVersion.Hold hold = GrpcCalls.hold(model, spec)) {
        SignatureDefMap signatures = SignatureDefMap.newBuilder()
            .putAllSignatureDef(hold.loaded().predictor().signatureDefs()).build();
        return GetModelMetadataResponse.newBuilder()
            .setModelSpec(answeredSpec(model.name(), hold.loaded().version(), ""))
            .putMetadata(SIGNATURE_DEF_FIELD, Any.pack(signatures))
            .build();
      }
    });
  }

  @Override
  public void classify(ClassificationRequest request,
      StreamObserver<ClassificationResponse> answer) {
    unimplemented("Classify", answer);
  }

  @Override
  public void regress(RegressionRequest request, StreamObserver<RegressionResponse> answer) {
    unimplemented("Regress", answer);
  }

  @Override
  public void multiInference(MultiInferenceRequest request,
      StreamObserver<MultiInferenceResponse> answer) {
    unimplemented("MultiInference", answer);
  }

  private static void unimplemented(String method, StreamObserver<?> answer) {
    answer.onError(Status.UNIMPLEMENTED.withDescription(method + " takes serialized tf.Example "
        + "inputs, which this server does not feed; call Predict").asRuntimeException());
  }

  private static ModelSpec answeredSpec(String name, long version, String signature) {
    return ModelSpec.newBuilder().setName(name).setVersion(Int64Value.of(version))
        .setSignatureName(signature).build();
  }
}
