package org.tfrnn.serve;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import org.tensorflow.proto.error.Code;
import org.tfrnn.inference.VersionStatus;
import org.tfrnn.inference.VersionedModel;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelManagement.ReloadConfigResponse;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Status.StatusProto;

/**
 * TensorFlow Serving's {@code tensorflow.serving.ModelService}: {@code GetModelStatus} and
 * {@code HandleReloadConfigRequest}.
 */
final class GrpcModelService extends ModelServiceGrpc.ModelServiceImplBase {
  /** What {@code HandleReloadConfigRequest} does with the new config's models. */
  interface Reloader {
    void reload(List<ServedModelConfig> models) throws IOException;
  }

  private final ServedModels models;
  private final Reloader reloader;
  private final GrpcCalls calls;

  GrpcModelService(ServedModels models, Reloader reloader, GrpcCalls calls) {
    this.models = models;
    this.reloader = reloader;
    this.calls = calls;
  }

  @Override
  public void getModelStatus(GetModelStatusRequest request,
      StreamObserver<GetModelStatusResponse> answer) {
    calls.answer("GetModelStatus", answer, () -> {
      ModelSpec spec = GrpcCalls.requireSpec(request.hasModelSpec(), request.getModelSpec());
      VersionedModel model = models.get(spec.getName());
      if (model == null) {
        throw ServingException.notFound("Could not find any versions of model "
            + spec.getName());
      }
      List<VersionStatus> statuses;
      if (spec.hasVersion()) {
        long version = spec.getVersion().getValue();
        statuses = List.of(model.status(version).orElseThrow(() -> ServingException.notFound(
            "Could not find version " + version + " of model " + spec.getName())));
      } else {
        statuses = model.statuses();
      }
      GetModelStatusResponse.Builder response = GetModelStatusResponse.newBuilder();
      statuses.forEach(status -> response.addModelVersionStatus(toProto(status)));
      return response.build();
    });
  }

  static ModelVersionStatus toProto(VersionStatus status) {
    return ModelVersionStatus.newBuilder()
        .setVersion(status.version())
        .setState(ModelVersionStatus.State.valueOf(status.state()))
        .setStatus(StatusProto.newBuilder()
            .setErrorCode(Code.valueOf(status.errorCode()))
            .setErrorMessage(status.errorMessage()))
        .build();
  }

  @Override
  public void handleReloadConfigRequest(ReloadConfigRequest request,
      StreamObserver<ReloadConfigResponse> answer) {
    calls.answer("HandleReloadConfigRequest", answer, () -> {
      List<ServedModelConfig> configs;
      try {
        configs = ServedModelConfig.of(request.getConfig());
      } catch (IllegalArgumentException e) {
        throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      }
      if (configs.isEmpty()) {
        throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription(
            "the config lists no model (model_config_list is empty)"));
      }
      try {
        reloader.reload(configs);
      } catch (IOException e) {
        throw new StatusRuntimeException(Status.UNKNOWN.withDescription(e.getMessage()));
      } catch (IllegalStateException e) {
        throw new StatusRuntimeException(Status.FAILED_PRECONDITION.withDescription(
            e.getMessage()));
      }
      return ReloadConfigResponse.newBuilder()
          .setStatus(StatusProto.newBuilder().setErrorCode(Code.OK)).build();
    });
  }
}
