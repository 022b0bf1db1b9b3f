package org.tfrnn.serve;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tfrnn.inference.Predictor;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.VersionWarmup;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionLogOuterClass.PredictionLog;

/**
 * TensorFlow Serving's SavedModel warm-up ({@code saved_model_warmup*.cc}): before a version
 * answers, the requests recorded in its {@code assets.extra/tf_serving_warmup_requests} (a
 * TFRecord file of {@code PredictionLog}s) are run on it, each {@code numRequestIterations}
 * times, so that the first real requests do not pay for TensorFlow's lazy initialisation. Its
 * rules: no file, no warm-up; at most {@value #MAX_RECORDS} records; a record that does not parse,
 * a corrupt file or a failing request fails the version's load; {@code predict_streamed_log} and
 * {@code session_run_log} records are unsupported (the load fails); a record with no log is
 * skipped. Where this server differs: {@code classify_log}, {@code regress_log} and
 * {@code multi_inference_log} records are skipped (and counted), since this server does not
 * serve those APIs.
 */
final class SavedModelWarmup implements VersionWarmup {
  static final String ASSETS_EXTRA = "assets.extra";
  static final String REQUESTS_FILE = "tf_serving_warmup_requests";
  static final int MAX_RECORDS = 1000;

  private final ServingMetrics metrics;
  private final ServerListener listener;
  private final int numRequestIterations;

  SavedModelWarmup(ServingMetrics metrics, ServerListener listener) {
    this(metrics, listener, 1);
  }

  SavedModelWarmup(ServingMetrics metrics, ServerListener listener, int numRequestIterations) {
    if (numRequestIterations < 1) {
      throw new IllegalArgumentException("num_request_iterations must be at least 1, got "
          + numRequestIterations);
    }
    this.metrics = metrics;
    this.listener = listener;
    this.numRequestIterations = numRequestIterations;
  }

  @Override
  public void warmUp(String model, long version, Predictor predictor) throws IOException {
    Path file = predictor.directory().resolve(ASSETS_EXTRA).resolve(REQUESTS_FILE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    long start = System.nanoTime();
    int records = 0;
    int skipped = 0;
    try (TfRecordReader reader = new TfRecordReader(file)) {
      while (true) {
        long offset = reader.offset();
        byte[] record;
        try {
          record = reader.next();
        } catch (IOException e) {
          throw new IOException("warm-up file " + file + ", record " + (records + 1) + ": "
              + e.getMessage() + "; please verify your warmup data is in TFRecord format", e);
        }
        if (record == null) {
          break;
        }
        records++;
        if (records > MAX_RECORDS) {
          throw new IOException("warm-up file " + file + ": number of warmup records exceeds "
              + "the maximum (" + MAX_RECORDS + ")");
        }
        try {
          if (!run(PredictionLog.parseFrom(record), predictor)) {
            skipped++;
          }
        } catch (InvalidProtocolBufferException e) {
          throw new IOException(where(file, records, offset) + "failed to parse warmup record as "
              + "a PredictionLog: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          throw new IOException(where(file, records, offset) + e.getMessage(), e);
        }
      }
    }
    listener.versionWarmedUp(model, version, file, records, skipped,
        Duration.ofNanos(System.nanoTime() - start));
  }

  private static String where(Path file, int record, long offset) {
    return "warm-up file " + file + ", record " + record + " (offset " + offset + "): ";
  }

  /** Runs one record's request; false if it was a kind this server skips. */
  private boolean run(PredictionLog log, Predictor predictor) {
    switch (log.getLogTypeCase()) {
      case PREDICT_LOG -> {
        PredictRequest request = log.getPredictLog().getRequest();
        for (int i = 0; i < numRequestIterations; i++) {
          predict(request, predictor);
        }
        return true;
      }
      case CLASSIFY_LOG, REGRESS_LOG, MULTI_INFERENCE_LOG -> {
        return false;
      }
      case LOGTYPE_NOT_SET -> {
        return true;
      }
      default -> throw new IllegalArgumentException("Unsupported log_type for warmup: "
          + log.getLogTypeCase());
    }
  }

  private void predict(PredictRequest request, Predictor predictor) {
    SignatureSpec signature = predictor.signature(request.getModelSpec().getSignatureName());
    Map<String, NdValue> inputs = new LinkedHashMap<>();
    request.getInputsMap().forEach((key, tensor) ->
        inputs.put(key, TensorProtoValues.toNdValue(key, tensor)));
    long run = System.nanoTime();
    predictor.predict(signature.key(), inputs, request.getOutputFilterList());
    // TensorFlow Serving's RunPredict records the run under the request's own model name.
    metrics.runtimeDone(request.getModelSpec().getName(), "Predict", run);
  }
}
