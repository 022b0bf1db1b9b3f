package org.tfrnn.serve;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The models a server answers for, by name; every front end (REST, gRPC) looks them up here. */
final class ServedModels {
  private final Map<String, VersionedModel> byName = new ConcurrentHashMap<>();

  ServedModels(Collection<VersionedModel> models) {
    models.forEach(model -> byName.put(model.name(), model));
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

  List<VersionedModel> all() {
    return List.copyOf(byName.values());
  }
}
