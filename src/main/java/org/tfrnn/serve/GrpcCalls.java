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
    outcome(method, call).deliver(observer);
  }

  /**
   * {@link #answer}, counted in the {@link ServingMetrics} as TensorFlow Serving counts its
   * Predict, Classify and Regress calls (by the model name the request gives), before the answer
   * leaves, as TensorFlow Serving records it.
   */
  <T> void answerCounted(String method, String modelName, StreamObserver<T> observer,
      Supplier<T> call) {
    long start = System.nanoTime();
    Outcome<T> outcome = outcome(method, call);
    metrics.requestDone(modelName, method, "GRPC", outcome.code().name(), start);
    outcome.deliver(observer);
  }

  /** A call's answer: its response, or the error status it gets. */
  private record Outcome<T>(T response, Status error) {
    Status.Code code() {
      return error == null ? Status.Code.OK : error.getCode();
    }

    void deliver(StreamObserver<T> observer) {
      if (error != null) {
        observer.onError(error.asRuntimeException());
        return;
      }
      observer.onNext(response);
      observer.onCompleted();
    }
  }

  private <T> Outcome<T> outcome(String method, Supplier<T> call) {
    try {
      return new Outcome<>(call.get(), null);
    } catch (StatusRuntimeException e) {
      return new Outcome<>(null, e.getStatus());
    } catch (ServingException e) {
      return new Outcome<>(null, status(e).withDescription(e.getMessage()));
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
      return new Outcome<>(null, status.withDescription(e.getMessage()));
    } catch (RuntimeException e) {
      listener.requestFailed("gRPC", method, e);
      return new Outcome<>(null, Status.INTERNAL.withDescription("internal server error ("
          + e.getClass().getSimpleName() + "); the server's log has the details"));
    }
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
