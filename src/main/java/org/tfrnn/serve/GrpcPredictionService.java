package org.tfrnn.serve;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.TensorSpec;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Inference.InferenceResult;
import tensorflow.serving.Inference.InferenceTask;
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
 * {@code Predict}, {@code GetModelMetadata}, and {@code Classify}, {@code Regress} and
 * {@code MultiInference} on signatures of those method names that take serialized
 * {@code tf.Example}s ({@link ExampleSignatures}).
 */
final class GrpcPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {
  static final String SIGNATURE_DEF_FIELD = "signature_def";

  private final ServedModels models;
  private final GrpcCalls calls;
  private final ServingMetrics metrics;
  private final ExampleRuns exampleRuns;

  GrpcPredictionService(ServedModels models, GrpcCalls calls, ServingMetrics metrics) {
    this.models = models;
    this.calls = calls;
    this.metrics = metrics;
    this.exampleRuns = new ExampleRuns(models, metrics);
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> answer) {
    calls.answerCounted("Predict", request.getModelSpec().getName(), answer, () -> {
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
        requireConvertible(signature, filter);
        long run = System.nanoTime();
        Map<String, NdValue> outputs = models.predict(model, hold.loaded(), signature.key(),
            inputs, filter, runTimeout());
        metrics.runtimeDone(model.name(), "Predict", run);
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
    calls.answerCounted("Classify", request.getModelSpec().getName(), answer, () -> {
      ModelSpec spec = GrpcCalls.requireSpec(request.hasModelSpec(), request.getModelSpec());
      VersionedModel model = GrpcCalls.model(models, spec);
      try (LoadedVersion.Hold hold = GrpcCalls.hold(model, spec)) {
        SignatureSpec signature = ExampleSignatures.classification(hold.loaded().predictor(),
            spec.getSignatureName());
        return ClassificationResponse.newBuilder()
            .setModelSpec(answeredSpec(model.name(), hold.loaded().version(), signature.key()))
            .setResult(exampleRuns.classify(model, hold.loaded(), signature, request.getInput(),
                "Classify", runTimeout()))
            .build();
      }
    });
  }

  @Override
  public void regress(RegressionRequest request, StreamObserver<RegressionResponse> answer) {
    calls.answerCounted("Regress", request.getModelSpec().getName(), answer, () -> {
      ModelSpec spec = GrpcCalls.requireSpec(request.hasModelSpec(), request.getModelSpec());
      VersionedModel model = GrpcCalls.model(models, spec);
      try (LoadedVersion.Hold hold = GrpcCalls.hold(model, spec)) {
        SignatureSpec signature = ExampleSignatures.regression(hold.loaded().predictor(),
            spec.getSignatureName());
        return RegressionResponse.newBuilder()
            .setModelSpec(answeredSpec(model.name(), hold.loaded().version(), signature.key()))
            .setResult(exampleRuns.regress(model, hold.loaded(), signature, request.getInput(),
                "Regress", runTimeout()))
            .build();
      }
    });
  }

  /**
   * Classify and Regress tasks on one model's version and one input, as TensorFlow Serving runs
   * them (each signature once, here one run per task); not counted in the request metrics, as
   * TensorFlow Serving does not count them.
   */
  @Override
  public void multiInference(MultiInferenceRequest request,
      StreamObserver<MultiInferenceResponse> answer) {
    calls.answer("MultiInference", answer, () -> {
      InferenceTask first = request.getTasksCount() == 0 ? null : request.getTasks(0);
      ModelSpec spec = GrpcCalls.requireSpec(first != null && first.hasModelSpec(),
          first == null ? ModelSpec.getDefaultInstance() : first.getModelSpec());
      List<SignatureSpec> signatures = new ArrayList<>();
      VersionedModel model = GrpcCalls.model(models, spec);
      try (LoadedVersion.Hold hold = GrpcCalls.hold(model, spec)) {
        Predictor predictor = hold.loaded().predictor();
        for (InferenceTask task : request.getTasksList()) {
          signatures.add(ExampleSignatures.task(predictor, task, spec.getName(), signatures));
        }
        MultiInferenceResponse.Builder response = MultiInferenceResponse.newBuilder();
        for (int i = 0; i < signatures.size(); i++) {
          SignatureSpec signature = signatures.get(i);
          InferenceResult.Builder result = response.addResultsBuilder().setModelSpec(
              answeredSpec(model.name(), hold.loaded().version(), signature.key()));
          if (signature.methodName().equals(ExampleSignatures.CLASSIFY_METHOD)) {
            result.setClassificationResult(exampleRuns.classify(model, hold.loaded(), signature,
                request.getInput(), "MultiInference", runTimeout()));
          } else {
            result.setRegressionResult(exampleRuns.regress(model, hold.loaded(), signature,
                request.getInput(), "MultiInference", runTimeout()));
          }
        }
        return response.build();
      }
    });
  }

  /**
   * Refuses, before TensorFlow runs, a request for an output this server cannot answer in a
   * TensorProto: {@code UNIMPLEMENTED}, naming the output and its dtype.
   *
   * @param outputKeys the outputs asked for, or empty for all
   */
  private static void requireConvertible(SignatureSpec signature, List<String> outputKeys) {
    for (TensorSpec output : signature.outputs().values()) {
      if (!outputKeys.isEmpty() && !outputKeys.contains(output.key())) {
        continue;
      }
      switch (output.dtype()) {
        case DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT64, DT_BOOL, DT_STRING -> { }
        default -> throw new StatusRuntimeException(Status.UNIMPLEMENTED.withDescription(
            "output '" + output.key() + "' of signature '" + signature.key() + "' is "
                + output.dtype() + ", which this server cannot return (it returns float, double, "
                + "int32, uint8, int64, bool and string tensors); leave it out with "
                + "output_filter"));
      }
    }
  }

  /**
   * The time left before the client's deadline, as TensorFlow Serving sets its run's timeout
   * from it; zero (no limit) if the call has none.
   */
  private static Duration runTimeout() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return Duration.ZERO;
    }
    long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
    if (left <= 0) {
      throw new StatusRuntimeException(Status.DEADLINE_EXCEEDED.withDescription(
          "the call's deadline passed before TensorFlow ran"));
    }
    return Duration.ofMillis(left);
  }

  private static ModelSpec answeredSpec(String name, long version, String signature) {
    return ModelSpec.newBuilder().setName(name).setVersion(Int64Value.of(version))
        .setSignatureName(signature).build();
  }
}
