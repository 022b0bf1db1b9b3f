package org.tfrnn.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.SignatureDef;
import org.tfrnn.savedmodel.ModelVersions;
import org.tfrnn.tensors.NdValue;

/**
 * A loaded SavedModel for Java applications: lists its signatures and runs them on plain Java
 * values. One instance serves many threads at once ({@link Session#runner()} is thread-safe);
 * {@link #close()} waits for calls in flight, then frees the native model.
 *
 * <p>Every request is checked against the signature in Java first (keys, dtypes, ranks, known
 * dimensions, element counts), so a bad request is a {@link PredictionException}, never a native
 * abort.
 */
public final class Predictor implements AutoCloseable {
  private final Path directory;
  private final SavedModelBundle bundle;
  private final Map<String, SignatureSpec> signatures = new LinkedHashMap<>();
  private final Map<String, SignatureDef> signatureDefs;
  // Calls hold the read lock; close() takes the write lock, so it waits for calls in flight.
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private Predictor(Path directory, SavedModelBundle bundle, List<SignatureSpec> specs) {
    this.directory = directory;
    this.bundle = bundle;
    specs.forEach(s -> signatures.put(s.key(), s));
    this.signatureDefs = Collections.unmodifiableMap(
        new TreeMap<>(bundle.metaGraphDef().getSignatureDefMap()));
  }

  /**
   * Loads the SavedModel (tag {@code serve}) in {@code dir}, or the highest numbered version in it.
   *
   * @throws IOException if there is no SavedModel there or TensorFlow cannot load it (the message
   *     names the directory and, for an unsupported op, the op)
   */
  public static Predictor open(Path dir) throws IOException {
    return open(dir, bundle -> SignatureSpec.of(bundle.metaGraphDef()));
  }

  /** {@link #open(Path)}, reading the signatures with {@code readSignatures} (tests fail it). */
  static Predictor open(Path dir, Function<SavedModelBundle, List<SignatureSpec>> readSignatures)
      throws IOException {
    Path model = ModelVersions.resolve(dir);
    ModelVersions.requireVariablesIfNeeded(model);
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(model.toString(), SavedModelBundle.DEFAULT_TAG);
    } catch (TensorFlowException e) {
      throw new IOException("cannot load the SavedModel at " + model + ": " + e.getMessage(), e);
    }
    // The bundle is ours until the Predictor owns it: close it on every way out before that.
    List<SignatureSpec> specs;
    try {
      specs = readSignatures.apply(bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
    if (specs.isEmpty()) {
      bundle.close();
      throw new IOException("the SavedModel at " + model + " has no signatures to call");
    }
    return new Predictor(model, bundle, specs);
  }

  /** The model directory that was loaded (a version directory when a base path was given). */
  public Path directory() {
    return directory;
  }

  public List<SignatureSpec> signatures() {
    return List.copyOf(signatures.values());
  }

  /**
   * Every signature of the MetaGraph as the SavedModel stores it, sorted by key, internal ones
   * such as {@code __saved_model_init_op} included (TensorFlow Serving's metadata lists them all).
   */
  public Map<String, SignatureDef> signatureDefs() {
    return signatureDefs;
  }

  /** The named signature; {@code null} means {@code serving_default} (or the only one there is). */
  public SignatureSpec signature(String key) {
    String wanted = key == null || key.isEmpty() ? defaultSignatureKey() : key;
    SignatureSpec spec = signatures.get(wanted);
    if (spec == null) {
      throw PredictionException.badRequest("signature '" + wanted + "' not found; this model has "
          + signatures.keySet());
    }
    return spec;
  }

  private String defaultSignatureKey() {
    if (signatures.containsKey(SignatureSpec.DEFAULT_KEY) || signatures.size() != 1) {
      return SignatureSpec.DEFAULT_KEY;
    }
    return signatures.keySet().iterator().next();
  }

  /** Runs a signature on every one of its outputs. */
  public Map<String, NdValue> predict(String signatureKey, Map<String, NdValue> inputs) {
    return predict(signatureKey, inputs, null);
  }

  /**
   * Runs a signature.
   *
   * @param inputs one value per signature input, by key: all of them, no others
   * @param outputKeys the outputs to compute, or null for all
   */
  public Map<String, NdValue> predict(
      String signatureKey, Map<String, NdValue> inputs, List<String> outputKeys) {
    return predict(signatureKey, inputs, outputKeys, Duration.ZERO);
  }

  /**
   * Runs a signature within a time limit: TensorFlow cancels the run once it is over (its
   * {@code RunOptions.timeout_in_ms}, as TensorFlow Serving sets it).
   *
   * @param timeout zero for no limit
   * @throws PredictionException {@link PredictionException.Reason#DEADLINE_EXCEEDED} if the run
   *     was cancelled
   */
  public Map<String, NdValue> predict(String signatureKey, Map<String, NdValue> inputs,
      List<String> outputKeys, Duration timeout) {
    SignatureSpec spec = signature(signatureKey);
    validate(spec, inputs);
    List<TensorSpec> fetches = outputsToFetch(spec, outputKeys);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw PredictionException.unavailable("the model at " + directory + " is closed");
      }
      return run(spec, inputs, fetches, timeout);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Checks a request as {@link #predict(String, Map, List)} does, without running it (a batching
   * front end checks each request before merging it with others).
   *
   * @return the keys of the outputs it would compute, in order
   * @throws PredictionException (bad request) as {@code predict} would
   */
  public List<String> check(String signatureKey, Map<String, NdValue> inputs,
      List<String> outputKeys) {
    SignatureSpec spec = signature(signatureKey);
    validate(spec, inputs);
    return outputsToFetch(spec, outputKeys).stream().map(TensorSpec::key).toList();
  }

  private Map<String, NdValue> run(SignatureSpec spec, Map<String, NdValue> inputs,
      List<TensorSpec> fetches, Duration timeout) {
    List<Tensor> fed = new ArrayList<>(inputs.size());
    long start = System.nanoTime();
    try {
      Session.Runner runner = bundle.session().runner();
      if (!timeout.isZero()) {
        runner.setOptions(RunOptions.newBuilder()
            .setTimeoutInMs(Math.max(1, timeout.toMillis())).build());
      }
      for (TensorSpec input : spec.inputs().values()) {
        Tensor tensor = inputs.get(input.key()).toTensor();
        fed.add(tensor);
        runner.feed(input.tensorName(), tensor);
      }
      fetches.forEach(output -> runner.fetch(output.tensorName()));
      try (Result result = runner.run()) {
        Map<String, NdValue> values = new LinkedHashMap<>();
        for (int i = 0; i < fetches.size(); i++) {
          values.put(fetches.get(i).key(), NdValue.of(result.get(i)));
        }
        return values;
      }
    } catch (TFInvalidArgumentException e) {
      // TensorFlow checked the request at run time and refused it (e.g. a value the graph cannot
      // take): still the request's fault.
      throw PredictionException.badRequest("TensorFlow rejected the request for signature '"
          + spec.key() + "': " + e.getMessage(), e);
    } catch (TensorFlowException e) {
      // TF Java has no exception class for DEADLINE_EXCEEDED: a failure once the time limit has
      // passed is TensorFlow's cancellation.
      if (!timeout.isZero() && System.nanoTime() - start >= timeout.toNanos()) {
        throw PredictionException.deadlineExceeded("the TensorFlow run of signature '"
            + spec.key() + "' was cancelled after the time limit of " + timeout.toMillis()
            + " ms: " + e.getMessage(), e);
      }
      throw PredictionException.modelFailed("the model failed on signature '" + spec.key() + "': "
          + e.getMessage(), e);
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private static void validate(SignatureSpec spec, Map<String, NdValue> inputs) {
    for (String key : inputs.keySet()) {
      if (!spec.inputs().containsKey(key)) {
        throw PredictionException.badRequest("signature '" + spec.key() + "' has no input '" + key
            + "'; its inputs are " + spec.inputs().keySet());
      }
    }
    for (TensorSpec input : spec.inputs().values()) {
      NdValue value = inputs.get(input.key());
      if (value == null) {
        throw PredictionException.badRequest("missing input '" + input.key() + "' ("
            + input.describe() + ") of signature '" + spec.key() + "'");
      }
      String mismatch = input.mismatch(value);
      if (mismatch != null) {
        throw PredictionException.badRequest(mismatch);
      }
    }
  }

  private static List<TensorSpec> outputsToFetch(SignatureSpec spec, List<String> outputKeys) {
    if (outputKeys == null || outputKeys.isEmpty()) {
      return List.copyOf(spec.outputs().values());
    }
    List<TensorSpec> fetches = new ArrayList<>();
    for (String key : outputKeys) {
      TensorSpec output = spec.outputs().get(key);
      if (output == null) {
        throw PredictionException.badRequest("signature '" + spec.key() + "' has no output '" + key
            + "'; its outputs are " + spec.outputs().keySet());
      }
      if (!fetches.contains(output)) {
        fetches.add(output);
      }
    }
    return fetches;
  }

  /** Waits for calls in flight, then releases the native model. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
