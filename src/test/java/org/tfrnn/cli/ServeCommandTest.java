package org.tfrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfrnn.batching.BatchingOptions;
import org.tfrnn.inference.VersionPolicy;
import org.tfrnn.serve.ServedModelConfig;
import org.tfrnn.serve.ServerConfig;
import picocli.CommandLine;

/** tensorflow_model_server's command lines, parsed by {@code ./tfrnn serve}. */
class ServeCommandTest {
  private static ServeCommand parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void tensorFlowServingsFlagsInFlagEqualsValueForm() throws Exception {
    ServeCommand command = parse("--port=9000", "--rest_api_port=9001", "--model_name=mnist",
        "--model_base_path=/models/mnist", "--file_system_poll_wait_seconds=5",
        "--rest_api_timeout_in_ms=60000");
    command.refuseUnsupported();
    assertEquals(9000, command.grpcPort);
    List<ServedModelConfig> models = command.models();
    assertEquals(List.of(ServedModelConfig.latest("mnist", Path.of("/models/mnist"))), models);
    ServerConfig config = command.config(models.get(0));
    assertEquals(9001, config.port());
    assertEquals(Duration.ofSeconds(5), config.pollInterval());
    assertEquals(Duration.ofMillis(60000), config.restTimeout());
    assertEquals(null, config.prometheusPath());
  }

  @Test
  void monitoringConfigAndRestTimeoutHaveTensorFlowServingsMeanings(@TempDir Path temp)
      throws Exception {
    Path monitoring = Files.writeString(temp.resolve("monitoring.config"),
        "prometheus_config { enable: true }");
    ServeCommand command = parse("--model_base_path=/m", "--monitoring_config_file="
        + monitoring);
    ServerConfig config = command.config(command.models().get(0));
    assertEquals("/monitoring/prometheus/metrics", config.prometheusPath());
    assertEquals(Duration.ofMillis(30000), config.restTimeout());
    // 0 or less: no timeout, as TensorFlow Serving sets none.
    ServeCommand noLimit = parse("--model_base_path=/m", "--rest_api_timeout_in_ms=0");
    assertEquals(Duration.ZERO, noLimit.config(noLimit.models().get(0)).restTimeout());

    Path bad = Files.writeString(temp.resolve("bad.config"), "prometheus_config { enable: 1.5 }");
    ServeCommand badCommand = parse("--model_base_path=/m", "--monitoring_config_file=" + bad);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> badCommand.config(badCommand.models().get(0)));
    assertTrue(e.getMessage().startsWith("cannot parse the monitoring config file " + bad + ": 1:"),
        e.getMessage());
  }

  @Test
  void defaultsAreTensorFlowServingsPortsAndModelName() throws Exception {
    ServeCommand command = parse("--model_base_path=/m");
    assertEquals(8500, command.grpcPort);
    assertEquals("default", command.models().get(0).name());
    assertEquals(8501, command.config(command.models().get(0)).port());
    // 0 means "do not poll", as in TensorFlow Serving.
    ServeCommand noPoll = parse("--model_base_path=/m", "--file_system_poll_wait_seconds=0");
    assertTrue(noPoll.config(noPoll.models().get(0)).pollInterval()
        .compareTo(Duration.ofDays(365)) > 0);
  }

  @Test
  void aModelConfigFileGivesTheModels(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("models.config");
    Files.writeString(file, "model_config_list { config { name: 'a' base_path: '/a' "
        + "model_version_policy { latest { num_versions: 2 } } "
        + "version_labels { key: 'stable' value: 4 } } config { name: 'b' base_path: '/b' } }");
    List<ServedModelConfig> models = parse("--model_config_file=" + file,
        "--model_config_file_poll_wait_seconds=60").models();
    assertEquals(List.of(new ServedModelConfig("a", Path.of("/a"), VersionPolicy.latest(2),
        Map.of("stable", 4L)), ServedModelConfig.latest("b", Path.of("/b"))), models);
    assertThrows(IllegalArgumentException.class, () -> parse("--model_config_file=" + file,
        "--model_base_path=/x").models());
  }

  @Test
  void enableBatchingAloneRunsWithTensorFlowServingsDefaults() throws Exception {
    for (String flag : List.of("--enable_batching", "--enable_batching=true")) {
      ServeCommand command = parse("--model_base_path=/m", flag);
      command.refuseUnsupported();
      BatchingOptions batching = command.config(command.models().get(0)).batching();
      // SharedBatchScheduler's QueueOptions defaults; the pool name main.cc sets.
      assertEquals(1000, batching.maxBatchSize(), flag);
      assertEquals(0, batching.batchTimeoutMicros(), flag);
      assertEquals(10, batching.maxEnqueuedBatches(), flag);
      assertEquals(Runtime.getRuntime().availableProcessors(), batching.numBatchThreads(), flag);
      assertEquals("model_server_batch_threads", batching.threadPoolName(), flag);
      // Requests wait for their batch on request threads: 2 x max_batch_size, capped.
      assertEquals(256, command.config(command.models().get(0)).threads(), flag);
    }
    ServeCommand given = parse("--model_base_path=/m", "--enable_batching", "--threads=5");
    assertEquals(5, given.config(given.models().get(0)).threads());
    ServeCommand off = parse("--model_base_path=/m", "--enable_batching=false");
    assertNull(off.config(off.models().get(0)).batching());
    assertNull(parse("--model_base_path=/m").config(ServedModelConfig.latest("m", Path.of("/m")))
        .batching());
  }

  @Test
  void aBatchingParametersFileSetsTheBatching(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("batching.config");
    Files.writeString(file, "max_batch_size { value: 32 }\nbatch_timeout_micros { value: 500 }\n"
        + "max_enqueued_batches { value: 4 }\nnum_batch_threads { value: 3 }\n"
        + "allowed_batch_sizes: 8\nallowed_batch_sizes: 32\npad_variable_length_inputs: true\n");
    ServeCommand command = parse("--model_base_path=/m", "--enable_batching",
        "--batching_parameters_file=" + file);
    command.refuseUnsupported();
    ServerConfig config = command.config(command.models().get(0));
    assertEquals(new BatchingOptions(32, 500, 4, 3, "batch_threads", new long[] {8, 32}, true),
        config.batching());
    assertEquals(64, config.threads());
  }

  @Test
  void aBatchingParametersFileNeedsEnableBatching() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("--model_base_path=/m", "--batching_parameters_file=/b.config")
            .refuseUnsupported());
    assertEquals("--batching_parameters_file is set without --enable_batching (TensorFlow "
        + "Serving refuses this too)", e.getMessage());
  }

  @Test
  void aBadBatchingParametersFileIsOneLineNamingIt(@TempDir Path temp) throws Exception {
    Path file = temp.resolve("batching.config");
    Files.writeString(file, "max_batch_size { value: 0 }");
    ServeCommand command = parse("--model_base_path=/m", "--enable_batching",
        "--batching_parameters_file=" + file);
    IOException e = assertThrows(IOException.class,
        () -> command.config(command.models().get(0)));
    assertEquals("batching parameters file " + file + ": max_batch_size must be positive (at most "
        + "2147483647); was 0", e.getMessage());
  }
}
