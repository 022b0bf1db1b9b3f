package org.tfrnn.serve;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.metrics.ServingMetrics;
import tensorflow.serving.Model.ModelSpec;

/**
 * What every gRPC method shares: the answer or the error with TensorFlow Serving's status code
 * ({@code INVALID_ARGUMENT} for a bad request, {@code NOT_FOUND} for an unknown model or version,
 * {@code FAILED_PRECONDITION} for an unknown signature, {@code UNAVAILABLE} while shutting down,
 * {@code INTERNAL} for the server's own failure, whose details go to the {@link ServerListener}).
 */
final class GrpcCalls {
  private final ServerListener listener;
  private final ServingMetrics metrics;

  GrpcCalls(ServerListener listener, ServingMetrics metrics) {
    this.listener = listener;
    this.metrics = metrics;
  }

  <T> void answer(String method, StreamObserver<T> observer, Supplier<T> call) {
    answerCall(method, observer, call);
  }

  /**
   * {@link #answer}, counted in the {@link ServingMetrics} as TensorFlow Serving counts its
   * Predict, Classify and Regress calls (by the model name the request gives).
   */
  <T> void answerCounted(String method, String modelName, StreamObserver<T> observer,
      Supplier<T> call) {
    long start = System.nanoTime();
    Status.Code code = Status.Code.CANCELLED; // if answering fails: the client went away
    try {
      code = answerCall(method, observer, call);
    } finally {
      metrics.requestDone(modelName, method, "GRPC", code.name(), start);
    }
  }

  /** Answers the call; returns the status code answered. */
  private <T> Status.Code answerCall(String method, StreamObserver<T> observer, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return e.getStatus().getCode();
    } catch (ServingException e) {
      Status status = status(e);
      observer.onError(status.withDescription(e.getMessage()).asRuntimeException());
      return status.getCode();
    } catch (PredictionException e) {
      if (e.reason() == PredictionException.Reason.MODEL_FAILED) {
        listener.requestFailed("gRPC", method, e);
      }
      Status status = switch (e.reason()) {
        case BAD_REQUEST -> Status.INVALID_ARGUMENT;
        case NOT_FOUND -> Status.NOT_FOUND;
        case UNAVAILABLE -> Status.UNAVAILABLE;
        case MODEL_FAILED -> Status.INTERNAL;
        case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      };
      observer.onError(status.withDescription(e.getMessage()).asRuntimeException());
      return status.getCode();
    } catch (RuntimeException e) {
      listener.requestFailed("gRPC", method, e);
      observer.onError(Status.INTERNAL.withDescription("internal server error ("
          + e.getClass().getSimpleName() + "); the server's log has the details")
          .asRuntimeException());
      return Status.Code.INTERNAL;
    }
    observer.onNext(response);
    observer.onCompleted();
    return Status.Code.OK;
  }

  private static Status status(ServingException e) {
    return switch (e.httpStatus()) {
      case 400 -> Status.INVALID_ARGUMENT;
      case 404 -> Status.NOT_FOUND;
      case 413 -> Status.RESOURCE_EXHAUSTED;
      case 501 -> Status.UNIMPLEMENTED;
      case 503 -> Status.UNAVAILABLE;
      default -> Status.INTERNAL;
    };
  }

  static ModelSpec requireSpec(boolean present, ModelSpec spec) {
    if (!present) {
      throw invalid("Missing ModelSpec");
    }
    if (spec.getName().isEmpty()) {
      throw invalid("ModelSpec has no name");
    }
    return spec;
  }

  static VersionedModel model(ServedModels models, ModelSpec spec) {
    return models.require(spec.getName(), servable(spec));
  }

  /** {@code Latest(name)} or {@code Specific(name, version)}, as TensorFlow Serving names them. */
  static String servable(ModelSpec spec) {
    if (spec.hasVersion()) {
      return "Specific(" + spec.getName() + ", " + spec.getVersion().getValue() + ")";
    }
    return spec.getVersionLabel().isEmpty() ? "Latest(" + spec.getName() + ")"
        : "Labelled(" + spec.getName() + ", " + spec.getVersionLabel() + ")";
  }

  /** Holds the version the spec asks for: by number, by label, or the highest. */
  static LoadedVersion.Hold hold(VersionedModel model, ModelSpec spec) {
    OptionalLong version = spec.hasVersion()
        ? OptionalLong.of(spec.getVersion().getValue()) : OptionalLong.empty();
    return model.hold(version, spec.getVersionLabel());
  }

  /**
   * The named signature ({@code serving_default} if none is named), or
   * {@code FAILED_PRECONDITION} as TensorFlow Serving answers.
   */
  static SignatureSpec signature(Predictor predictor, String key) {
    if (!key.isEmpty() && predictor.signatures().stream().noneMatch(s -> s.key().equals(key))) {
      throw new StatusRuntimeException(Status.FAILED_PRECONDITION.withDescription(
          "Serving signature key \"" + key + "\" not found."));
    }
    return predictor.signature(key);
  }

  private static StatusRuntimeException invalid(String message) {
    return new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription(message));
  }
}
