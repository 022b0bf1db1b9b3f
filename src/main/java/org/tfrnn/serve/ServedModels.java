package org.tfrnn.serve;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tfrnn.batching.BatchListener;
import org.tfrnn.batching.BatchScheduler;
import org.tfrnn.batching.BatchingOptions;
import org.tfrnn.inference.LoadedVersion;
import org.tfrnn.inference.VersionWarmup;
import org.tfrnn.inference.VersionedModel;
import org.tfrnn.tensors.NdValue;

/**
 * The models a server answers for, by name; every front end (REST, gRPC) looks them up here.
 * {@link #apply} changes the set to a new model config: new models are loaded before they are
 * served, removed ones stop being found at once and are freed after their last request.
 * {@link #predict} runs a request on a held version: through the {@link BatchScheduler} when
 * batching is on, on the caller's thread when it is off.
 */
final class ServedModels implements AutoCloseable {
  private final Map<String, VersionedModel> byName = new ConcurrentHashMap<>();
  private final ServerListener listener;
  private final VersionWarmup warmup;
  private final Object applying = new Object();
  private final BatchScheduler batching;

  private ServedModels(ServerListener listener, VersionWarmup warmup, BatchScheduler batching) {
    this.listener = listener;
    this.warmup = warmup;
    this.batching = batching;
  }

  /**
   * Loads every configured model, warming each version up before it answers, and, unless
   * {@code batching} is null, starts the batch threads (stopped by {@link #close()}); batch runs
   * are reported to {@code batches}.
   *
   * @throws IOException if one cannot be served (nothing stays loaded or running then)
   */
  static ServedModels open(List<ServedModelConfig> configs, ServerListener listener,
      VersionWarmup warmup, BatchingOptions batching, BatchListener batches) throws IOException {
    if (configs.isEmpty()) {
      throw new IOException("no model to serve: the model config lists none");
    }
    ServedModels models = new ServedModels(listener, warmup,
        batching == null ? null : BatchScheduler.start(batching, batches));
    try {
      models.apply(configs);
    } catch (IOException | RuntimeException e) {
      models.close();
      throw e;
    }
    return models;
  }

  /** The model of that name, or null. */
  VersionedModel get(String name) {
    return byName.get(name);
  }

  /** The model of that name; 404 with TensorFlow Serving's message if there is none. */
  VersionedModel require(String name, String servableDescription) {
    VersionedModel model = byName.get(name);
    if (model == null) {
      throw ServingException.notFound("Servable not found for request: " + servableDescription);
    }
    return model;
  }

  /**
   * Runs a predict request on a version the caller holds: merged with concurrent requests by the
   * batch scheduler when batching is on, directly when it is off.
   *
   * @param outputKeys the outputs to compute, null or empty for all
   * @param timeout TensorFlow's time limit for an unbatched run, zero for none (a batched run
   *     serves several requests and has none)
   */
  Map<String, NdValue> predict(VersionedModel model, LoadedVersion loaded, String signatureKey,
      Map<String, NdValue> inputs, List<String> outputKeys, Duration timeout) {
    if (batching == null) {
      return loaded.predictor().predict(signatureKey, inputs, outputKeys, timeout);
    }
    return batching.predict(model.name(), loaded.version(), loaded.predictor(), signatureKey,
        inputs, outputKeys);
  }

  /** The batch scheduler, or null when batching is off. */
  BatchScheduler batching() {
    return batching;
  }

  List<VersionedModel> all() {
    return List.copyOf(byName.values());
  }

  /** Looks for new versions of every model (the file system poll). */
  void refresh() {
    for (VersionedModel model : all()) {
      try {
        model.refresh();
      } catch (RuntimeException e) {
        listener.pollFailed(model.name(), model.basePath(), e);
      }
    }
  }

  /**
   * Serves exactly the models of {@code configs}: loads new ones (and models whose base path
   * changed), applies new policies and labels, unloads those no longer listed.
   *
   * @throws IOException if a new model cannot be loaded: the models served stay as they were
   * @throws IllegalStateException if a label names a version that is not available
   */
  void apply(List<ServedModelConfig> configs) throws IOException {
    synchronized (applying) {
      Map<String, VersionedModel> opened = new LinkedHashMap<>();
      try {
        for (ServedModelConfig config : configs) {
          VersionedModel existing = byName.get(config.name());
          if (existing == null || !existing.basePath().equals(config.basePath())) {
            opened.put(config.name(), VersionedModel.open(config.name(), config.basePath(),
                config.policy(), config.labels(), listener, warmup));
          }
        }
      } catch (IOException | RuntimeException e) {
        opened.values().forEach(VersionedModel::close);
        throw e;
      }
      List<VersionedModel> retired = new ArrayList<>();
      List<String> listed = configs.stream().map(ServedModelConfig::name).toList();
      for (String name : List.copyOf(byName.keySet())) {
        if (!listed.contains(name)) {
          retired.add(byName.remove(name));
        }
      }
      for (ServedModelConfig config : configs) {
        VersionedModel fresh = opened.get(config.name());
        if (fresh != null) {
          VersionedModel replaced = byName.put(config.name(), fresh);
          if (replaced != null) {
            retired.add(replaced);
          }
        } else {
          VersionedModel existing = byName.get(config.name());
          if (!existing.policy().equals(config.policy())
              || !existing.labels().equals(config.labels())) {
            existing.reconfigure(config.policy(), config.labels());
          }
        }
      }
      // Not found any more; close() waits for the requests that still hold them.
      retired.forEach(VersionedModel::close);
    }
  }

  /**
   * Stops batching (queued requests run first), then frees every model once its last request is
   * done. They stay listed, so that their statuses say END and a late request gets "shutting
   * down" (503), not "no such model".
   */
  @Override
  public void close() {
    if (batching != null) {
      batching.close();
    }
    synchronized (applying) {
      byName.values().forEach(VersionedModel::close);
    }
  }
}
