package org.tfrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    assertTrue(e.getMessage().startsWith("monitoring config file " + bad + ": 1:"),
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
  void whatIsNotSupportedIsRefusedNotIgnored() {
    for (String flag : List.of("--enable_batching", "--enable_batching=true",
        "--batching_parameters_file=/b.config")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> parse("--model_base_path=/m", flag).refuseUnsupported(), flag);
      assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
    }
  }
}
