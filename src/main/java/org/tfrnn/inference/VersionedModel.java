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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import org.tfrnn.savedmodel.ModelVersions;

/**
 * A model served under one name from a TensorFlow Serving base path ({@code base/1},
 * {@code base/2}, ...) with TensorFlow Serving's default policy: serve the highest version.
 * {@link #refresh} loads a new highest version while the old one keeps answering, swaps it in,
 * then frees the old one once its last request is done; a version that fails to load is reported
 * and skipped, and the old one stays.
 */
public final class VersionedModel implements AutoCloseable {
  private final String name;
  private final Path basePath;
  private final ModelVersionListener listener;
  private final ModelOpener opener;
  private final AtomicReference<LoadedVersion> served = new AtomicReference<>();
  // Versions that were served and replaced, or failed to load, newest first.
  private final Map<Long, VersionStatus> history =
      new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  // Serialises refresh() and close(); requests never take it.
  private final Object switching = new Object();
  private boolean closed;
  private String lastPollProblem;

  private VersionedModel(String name, Path basePath, ModelVersionListener listener,
      ModelOpener opener) {
    this.name = name;
    this.basePath = basePath;
    this.listener = listener;
    this.opener = opener;
  }

  /** Opens one version directory; {@link Predictor#open} except in tests. */
  @FunctionalInterface
  interface ModelOpener {
    Predictor open(Path directory) throws IOException;
  }

  /**
   * Loads the highest version under {@code basePath}.
   *
   * @throws IOException if there is none or it cannot be loaded (the message says which and why)
   */
  public static VersionedModel open(String name, Path basePath, ModelVersionListener listener)
      throws IOException {
    return open(name, basePath, listener, Predictor::open);
  }

  static VersionedModel open(String name, Path basePath, ModelVersionListener listener,
      ModelOpener opener) throws IOException {
    if (!Files.isDirectory(basePath)) {
      throw new IOException("model base path " + basePath + " is not a directory");
    }
    OptionalLong highest = ModelVersions.highest(basePath);
    if (highest.isEmpty()) {
      if (Files.isRegularFile(basePath.resolve(ModelVersions.SAVED_MODEL_FILE))) {
        throw new IOException(basePath + " is a SavedModel itself; a model base path holds "
            + "numbered versions of it: move it to " + basePath.resolve("1")
            + " (TensorFlow Serving's layout)");
      }
      throw new IOException("model base path " + basePath + " has no numbered version directory ("
          + basePath.resolve("1") + ", ...) holding a " + ModelVersions.SAVED_MODEL_FILE);
    }
    VersionedModel model = new VersionedModel(name, basePath, listener, opener);
    model.served.set(model.load(highest.getAsLong()));
    return model;
  }

  public String name() {
    return name;
  }

  /** The version answering requests. */
  public long servedVersion() {
    LoadedVersion current = served.get();
    if (current == null) {
      throw new IllegalStateException("model '" + name + "' is closed");
    }
    return current.version();
  }

  /**
   * Holds the served version for one request; close the hold when done.
   *
   * @param version the version the request names, or empty for the served one
   * @throws PredictionException not found if the request names a version that is not served,
   *     unavailable after {@link #close}
   */
  public LoadedVersion.Hold hold(OptionalLong version) {
    while (true) {
      LoadedVersion current = served.get();
      if (current == null) {
        throw PredictionException.unavailable("model '" + name + "' is shutting down");
      }
      if (version.isPresent() && version.getAsLong() != current.version()) {
        throw PredictionException.notFound("Servable not found for request: Specific(" + name + ", "
            + version.getAsLong() + "); version " + current.version() + " is served");
      }
      LoadedVersion.Hold hold = current.tryHold();
      if (hold != null) {
        return hold;
      }
      // That version was retired after we read it; its successor is in `served` by now.
    }
  }

  /** Every version the server knows: the served one, then replaced or failed ones, newest first. */
  public List<VersionStatus> statuses() {
    LoadedVersion current = served.get();
    List<VersionStatus> all = new ArrayList<>();
    if (current != null) {
      all.add(VersionStatus.available(current.version()));
    }
    history.forEach((version, status) -> {
      if (current == null || version != current.version()) {
        all.add(status);
      }
    });
    return all;
  }

  public Optional<VersionStatus> status(long version) {
    return statuses().stream().filter(s -> s.version() == version).findFirst();
  }

  /**
   * Serves the highest version under the base path if it is not the served one (TensorFlow
   * Serving's "latest" policy, so deleting the newest version rolls back to the one before).
   *
   * @return whether the served version changed
   */
  public boolean refresh() {
    synchronized (switching) {
      if (closed) {
        return false;
      }
      LoadedVersion current = served.get();
      OptionalLong highest;
      try {
        highest = ModelVersions.highest(basePath);
      } catch (IOException e) {
        reportPollProblem(e);
        return false;
      } catch (UncheckedIOException e) {
        reportPollProblem(e.getCause());
        return false;
      }
      if (highest.isEmpty()) {
        reportPollProblem(new IOException("no numbered version directory under " + basePath
            + "; still serving version " + current.version()));
        return false;
      }
      lastPollProblem = null;
      long newest = highest.getAsLong();
      if (newest == current.version() || failedBefore(newest)) {
        return false;
      }
      LoadedVersion next;
      try {
        next = load(newest);
      } catch (IOException | RuntimeException e) {
        history.put(newest, VersionStatus.failed(newest, e.getMessage()));
        listener.versionFailed(name, newest, basePath.resolve(Long.toString(newest)), e);
        return false;
      }
      history.remove(newest);
      served.set(next);
      history.put(current.version(), VersionStatus.ended(current.version()));
      current.retire();
      listener.versionUnloaded(name, current.version());
      return true;
    }
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
      listener.versionLoaded(name, version, directory,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (RuntimeException e) {
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

  /** Stops serving: waits for requests holding the served version, then frees it. Idempotent. */
  @Override
  public void close() {
    synchronized (switching) {
      if (closed) {
        return;
      }
      closed = true;
      LoadedVersion current = served.getAndSet(null);
      current.retire();
      history.put(current.version(), VersionStatus.ended(current.version()));
      listener.versionUnloaded(name, current.version());
    }
  }
}
