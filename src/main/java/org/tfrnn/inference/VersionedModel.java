package org.tfrnn.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.tfrnn.savedmodel.ModelVersions;

/**
 * A model served under one name from a TensorFlow Serving base path ({@code base/1},
 * {@code base/2}, ...) with a {@link VersionPolicy} (by default TensorFlow Serving's: the highest
 * version) and version labels. {@link #refresh} loads the versions the policy wants while the
 * loaded ones keep answering, then frees those it no longer wants once their last request is done
 * (availability preserving: a version is only unloaded while another wanted one is loaded); a
 * version that fails to load is reported and skipped.
 */
public final class VersionedModel implements AutoCloseable {
  private final String name;
  private final Path basePath;
  private final ModelVersionListener listener;
  private final ModelOpener opener;
  private final VersionWarmup warmup;
  private final Map<Long, LoadedVersion> loaded =
      new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  // Versions that were served and unloaded, or failed to load, newest first.
  private final Map<Long, VersionStatus> history =
      new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  // Serialises refresh(), reconfigure() and close(); requests never take it.
  private final Object switching = new Object();
  private volatile VersionPolicy policy;
  private volatile Map<String, Long> labels = Map.of();
  private boolean closed;
  private String lastPollProblem;

  private VersionedModel(String name, Path basePath, VersionPolicy policy,
      ModelVersionListener listener, ModelOpener opener, VersionWarmup warmup) {
    this.name = name;
    this.warmup = warmup;
    this.basePath = basePath;
    this.policy = policy;
    this.listener = listener;
    this.opener = opener;
  }

  /** Opens one version directory; {@link Predictor#open} except in tests. */
  @FunctionalInterface
  interface ModelOpener {
    Predictor open(Path directory) throws IOException;
  }

  /**
   * Loads the highest version under {@code basePath} (TensorFlow Serving's default policy).
   *
   * @throws IOException if there is none or it cannot be loaded (the message says which and why)
   */
  public static VersionedModel open(String name, Path basePath, ModelVersionListener listener)
      throws IOException {
    return open(name, basePath, VersionPolicy.LATEST_ONE, Map.of(), listener, Predictor::open,
        VersionWarmup.NONE);
  }

  static VersionedModel open(String name, Path basePath, ModelVersionListener listener,
      ModelOpener opener) throws IOException {
    return open(name, basePath, VersionPolicy.LATEST_ONE, Map.of(), listener, opener,
        VersionWarmup.NONE);
  }

  /**
   * Loads the versions under {@code basePath} that the policy wants.
   *
   * @throws IOException if there is none or none of them loads (the message says which and why)
   * @throws IllegalStateException if a label names a version that did not load
   */
  public static VersionedModel open(String name, Path basePath, VersionPolicy policy,
      Map<String, Long> labels, ModelVersionListener listener) throws IOException {
    return open(name, basePath, policy, labels, listener, Predictor::open, VersionWarmup.NONE);
  }

  /**
   * Loads the versions under {@code basePath} that the policy wants, each warmed up before it
   * answers (a version whose warm-up fails is not loaded).
   *
   * @throws IOException if there is none or none of them loads (the message says which and why)
   * @throws IllegalStateException if a label names a version that did not load
   */
  public static VersionedModel open(String name, Path basePath, VersionPolicy policy,
      Map<String, Long> labels, ModelVersionListener listener, VersionWarmup warmup)
      throws IOException {
    return open(name, basePath, policy, labels, listener, Predictor::open, warmup);
  }

  private static VersionedModel open(String name, Path basePath, VersionPolicy policy,
      Map<String, Long> labels, ModelVersionListener listener, ModelOpener opener,
      VersionWarmup warmup) throws IOException {
    if (!Files.isDirectory(basePath)) {
      throw new IOException("model base path " + basePath + " is not a directory");
    }
    Set<Long> wanted = policy.select(ModelVersions.all(basePath));
    if (wanted.isEmpty()) {
      if (Files.isRegularFile(basePath.resolve(ModelVersions.SAVED_MODEL_FILE))) {
        throw new IOException(basePath + " is a SavedModel itself; a model base path holds "
            + "numbered versions of it: move it to " + basePath.resolve("1")
            + " (TensorFlow Serving's layout)");
      }
      throw new IOException("model base path " + basePath + " has no numbered version directory ("
          + basePath.resolve("1") + ", ...) holding a " + ModelVersions.SAVED_MODEL_FILE
          + (policy.kind() == VersionPolicy.Kind.SPECIFIC ? " among versions "
              + policy.specific() : ""));
    }
    VersionedModel model = new VersionedModel(name, basePath, policy, listener, opener, warmup);
    IOException ioFailure = null;
    RuntimeException otherFailure = null;
    for (long version : wanted) {
      try {
        model.loaded.put(version, model.load(version));
      } catch (IOException e) {
        model.history.put(version, VersionStatus.failed(version, e.getMessage()));
        ioFailure = e;
      } catch (RuntimeException e) {
        model.history.put(version, VersionStatus.failed(version, e.getMessage()));
        otherFailure = e;
      }
    }
    try {
      if (model.loaded.isEmpty()) {
        if (otherFailure != null) {
          throw otherFailure;
        }
        throw ioFailure;
      }
      model.setLabels(labels);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  public String name() {
    return name;
  }

  public Path basePath() {
    return basePath;
  }

  public VersionPolicy policy() {
    return policy;
  }

  public Map<String, Long> labels() {
    return labels;
  }

  /** The highest version answering requests. */
  public long servedVersion() {
    for (long version : loaded.keySet()) {
      return version;
    }
    throw new IllegalStateException("model '" + name + "' is closed");
  }

  /** The versions answering requests, highest first. */
  public List<Long> servedVersions() {
    return List.copyOf(loaded.keySet());
  }

  /**
   * Sets the version labels; each must name a version that is loaded now.
   *
   * @throws IllegalStateException (TensorFlow Serving's FAILED_PRECONDITION) otherwise
   */
  public void setLabels(Map<String, Long> newLabels) {
    for (Map.Entry<String, Long> label : newLabels.entrySet()) {
      if (!loaded.containsKey(label.getValue())) {
        throw new IllegalStateException("Request to assign label to version "
            + label.getValue() + " of model " + name
            + ", which is not currently available for inference");
      }
    }
    labels = Map.copyOf(newLabels);
  }

  /** {@link #hold(OptionalLong, String)} without a label. */
  public LoadedVersion.Hold hold(OptionalLong version) {
    return hold(version, null);
  }

  /**
   * Holds a loaded version for one request; close the hold when done.
   *
   * @param version the version the request names, or empty for the highest (or the labelled) one
   * @param label a version label the request names instead, or null
   * @throws PredictionException not found if the request names a version that is not served,
   *     a bad request for an unknown label, unavailable after {@link #close}
   */
  public LoadedVersion.Hold hold(OptionalLong version, String label) {
    OptionalLong wanted = version;
    if (label != null && !label.isEmpty()) {
      Long labelled = labels.get(label);
      if (labelled == null) {
        throw PredictionException.badRequest("Unrecognized servable version label: " + label);
      }
      wanted = OptionalLong.of(labelled);
    }
    while (true) {
      LoadedVersion current;
      if (wanted.isPresent()) {
        current = loaded.get(wanted.getAsLong());
        if (current == null) {
          if (loaded.isEmpty()) {
            throw PredictionException.unavailable("model '" + name + "' is shutting down");
          }
          throw PredictionException.notFound("Servable not found for request: Specific(" + name
              + ", " + wanted.getAsLong() + "); versions " + loaded.keySet() + " are served");
        }
      } else {
        Map.Entry<Long, LoadedVersion> highest =
            ((ConcurrentSkipListMap<Long, LoadedVersion>) loaded).firstEntry();
        if (highest == null) {
          throw PredictionException.unavailable("model '" + name + "' is shutting down");
        }
        current = highest.getValue();
      }
      LoadedVersion.Hold hold = current.tryHold();
      if (hold != null) {
        return hold;
      }
      // That version was retired after we read it; read the map again.
    }
  }

  /** Every version the server knows: the loaded ones, then unloaded or failed ones, newest first. */
  public List<VersionStatus> statuses() {
    List<VersionStatus> all = new ArrayList<>();
    loaded.keySet().forEach(version -> all.add(VersionStatus.available(version)));
    history.forEach((version, status) -> {
      if (!loaded.containsKey(version)) {
        all.add(status);
      }
    });
    return all;
  }

  public Optional<VersionStatus> status(long version) {
    return statuses().stream().filter(s -> s.version() == version).findFirst();
  }

  /** Changes the policy and labels (a reloaded model config), then applies them. */
  public void reconfigure(VersionPolicy newPolicy, Map<String, Long> newLabels) {
    synchronized (switching) {
      policy = newPolicy;
      refresh();
      setLabels(newLabels);
    }
  }

  /**
   * Loads the versions on disk that the policy wants and are not loaded, then unloads the loaded
   * ones it no longer wants (so deleting the newest version rolls back to the one before).
   *
   * @return whether the set of served versions changed
   */
  public boolean refresh() {
    synchronized (switching) {
      if (closed) {
        return false;
      }
      long[] onDisk;
      try {
        onDisk = ModelVersions.all(basePath);
      } catch (IOException e) {
        reportPollProblem(e);
        return false;
      } catch (UncheckedIOException e) {
        reportPollProblem(e.getCause());
        return false;
      }
      if (onDisk.length == 0) {
        reportPollProblem(new IOException("no numbered version directory under " + basePath
            + "; still serving versions " + loaded.keySet()));
        return false;
      }
      lastPollProblem = null;
      Set<Long> wanted = policy.select(onDisk);
      boolean changed = false;
      for (long version : wanted) {
        if (loaded.containsKey(version) || failedBefore(version)) {
          continue;
        }
        try {
          loaded.put(version, load(version));
          history.remove(version);
          changed = true;
        } catch (IOException | RuntimeException e) {
          history.put(version, VersionStatus.failed(version, e.getMessage()));
          listener.versionFailed(name, version, basePath.resolve(Long.toString(version)), e);
        }
      }
      if (wanted.stream().noneMatch(loaded::containsKey)) {
        return changed; // keep what is served rather than serve nothing
      }
      for (long version : List.copyOf(loaded.keySet())) {
        if (!wanted.contains(version) && !labels.containsValue(version)) {
          unload(version);
          changed = true;
        }
      }
      return changed;
    }
  }

  private void unload(long version) {
    LoadedVersion old = loaded.remove(version);
    history.put(version, VersionStatus.ended(version));
    old.retire();
    listener.versionUnloaded(name, version);
  }

  private boolean failedBefore(long version) {
    VersionStatus status = history.get(version);
    return status != null && !status.errorCode().equals("OK");
  }

  private LoadedVersion load(long version) throws IOException {
    Path directory = basePath.resolve(Long.toString(version));
    long start = System.nanoTime();
    Predictor predictor = opener.open(directory);
    try {
      warmup.warmUp(name, version, predictor);
      listener.versionLoaded(name, version, directory,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException | RuntimeException e) {
      predictor.close(); // no LoadedVersion owns it yet
      throw e;
    }
    return new LoadedVersion(version, predictor);
  }

  private void reportPollProblem(IOException problem) {
    // Once per problem, not at every poll.
    if (!problem.getMessage().equals(lastPollProblem)) {
      lastPollProblem = problem.getMessage();
      listener.pollFailed(name, basePath, problem);
    }
  }

  /** Stops serving: waits for requests holding a loaded version, then frees it. Idempotent. */
  @Override
  public void close() {
    synchronized (switching) {
      if (closed) {
        return;
      }
      closed = true;
      for (long version : List.copyOf(loaded.keySet())) {
        unload(version);
      }
    }
  }
}
