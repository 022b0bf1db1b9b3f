package org.tfrnn.serve;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.SignatureSpec;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.metrics.ServingMetrics;
import org.tfrnn.tensors.NdValue;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * Runs a checked classification or regression signature ({@link ExampleSignatures}) on a request's
 * examples through the served models (batching included), timing the run in the metrics; shared by
 * the gRPC and REST front ends so that both answer alike.
 */
final class ExampleRuns {
  private final ServedModels models;
  private final ServingMetrics metrics;

  ExampleRuns(ServedModels models, ServingMetrics metrics) {
    this.models = models;
    this.metrics = metrics;
  }

  /**
   * The classes and scores of each example.
   *
   * @param api the API the run is timed under ({@code Classify}, {@code MultiInference})
   * @param timeout the run's limit, zero for none
   */
  ClassificationResult classify(VersionedModel model, LoadedVersion loaded,
      SignatureSpec signature, Input input, String api, Duration timeout) {
    NdValue examples = ExampleSignatures.serializedExamples(input);
    Map<String, NdValue> outputs = run(model, loaded, signature, examples,
        ExampleSignatures.classificationOutputs(signature), api, timeout);
    return ExampleSignatures.classificationResult((int) examples.dim(0), outputs);
  }

  /** The value of each example; parameters as {@link #classify}. */
  RegressionResult regress(VersionedModel model, LoadedVersion loaded, SignatureSpec signature,
      Input input, String api, Duration timeout) {
    NdValue examples = ExampleSignatures.serializedExamples(input);
    Map<String, NdValue> outputs = run(model, loaded, signature, examples,
        List.of(ExampleSignatures.OUTPUTS), api, timeout);
    return ExampleSignatures.regressionResult((int) examples.dim(0),
        outputs.get(ExampleSignatures.OUTPUTS));
  }

  private Map<String, NdValue> run(VersionedModel model, LoadedVersion loaded,
      SignatureSpec signature, NdValue examples, List<String> outputKeys, String api,
      Duration timeout) {
    long start = System.nanoTime();
    Map<String, NdValue> outputs = models.predict(model, loaded, signature.key(),
        Map.of(ExampleSignatures.INPUTS, examples), outputKeys, timeout);
    metrics.runtimeDone(model.name(), api, start);
    return outputs;
  }
}
