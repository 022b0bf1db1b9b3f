package org.tfrnn.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tfrnn.inference.VersionPolicy;
import org.tfrnn.textproto.TextProtoFiles;
import tensorflow.serving.FileSystemStoragePathSource.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import tensorflow.serving.ModelServerConfigOuterClass.ModelConfig;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;

/**
 * One model a server serves: its name, base path, version policy and version labels — one
 * {@code config} of TensorFlow Serving's {@code model_config_list}.
 *
 * @param name the name in the URLs and in gRPC's {@code model_spec.name}
 * @param basePath a directory of numbered SavedModel versions
 * @param labels version labels ({@code stable} → 3), each naming a version the policy serves
 */
public record ServedModelConfig(String name, Path basePath, VersionPolicy policy,
    Map<String, Long> labels) {

  public ServedModelConfig {
    Objects.requireNonNull(basePath, "basePath");
    Objects.requireNonNull(policy, "policy");
    labels = Map.copyOf(labels);
    ServerConfig.checkModelName(name);
  }

  /** The latest version of one model, no labels: what {@code --model_name/--model_base_path} give. */
  public static ServedModelConfig latest(String name, Path basePath) {
    return new ServedModelConfig(name, basePath, VersionPolicy.LATEST_ONE, Map.of());
  }

  /**
   * Reads a model config file: TensorFlow Serving's {@code ModelServerConfig} in protobuf text
   * format, with a {@code model_config_list}.
   *
   * @throws IOException if it cannot be read or parsed, or says something this server does not do
   *     (the message names the file and the problem)
   */
  public static List<ServedModelConfig> read(Path file) throws IOException {
    ModelServerConfig.Builder config =
        TextProtoFiles.read(file, ModelServerConfig.newBuilder(), "model config file");
    try {
      return of(config.build());
    } catch (IllegalArgumentException e) {
      throw new IOException("model config file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The models of a {@code ModelServerConfig} (a config file's, or a
   * {@code HandleReloadConfigRequest}'s).
   *
   * @throws IllegalArgumentException for a config this server cannot serve
   */
  public static List<ServedModelConfig> of(ModelServerConfig config) {
    if (config.hasCustomModelConfig()) {
      throw new IllegalArgumentException("custom_model_config is not supported; use "
          + "model_config_list");
    }
    List<ServedModelConfig> models = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ModelConfig model : config.getModelConfigList().getConfigList()) {
      String where = "model config '" + model.getName() + "'";
      if (model.getName().isEmpty()) {
        throw new IllegalArgumentException("a model config has no name");
      }
      if (!names.add(model.getName())) {
        throw new IllegalArgumentException("two model configs are named '" + model.getName()
            + "'");
      }
      if (model.getBasePath().isEmpty()) {
        throw new IllegalArgumentException(where + " has no base_path");
      }
      if (!model.getModelPlatform().isEmpty() && !model.getModelPlatform().equals("tensorflow")) {
        throw new IllegalArgumentException(where + " has model_platform '"
            + model.getModelPlatform() + "'; this server serves 'tensorflow' SavedModels");
      }
      try {
        models.add(new ServedModelConfig(model.getName(), Path.of(model.getBasePath()),
            policy(model.getModelVersionPolicy()), model.getVersionLabelsMap()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return models;
  }

  private static VersionPolicy policy(ServableVersionPolicy policy) {
    return switch (policy.getPolicyChoiceCase()) {
      // TensorFlow Serving: num_versions defaults to 1.
      case LATEST -> VersionPolicy.latest(Math.max(1, policy.getLatest().getNumVersions()));
      case ALL -> VersionPolicy.all();
      case SPECIFIC -> VersionPolicy.specific(Set.copyOf(policy.getSpecific().getVersionsList()));
      case POLICYCHOICE_NOT_SET -> VersionPolicy.LATEST_ONE;
    };
  }
}
