package org.tfrnn.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tfrnn.models.PresetGraphs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "graphs", mixinStandardHelpOptions = true,
    description = "Write every preset's training graph as a text GraphDef (<dir>/<preset>.pbtxt).")
final class GraphsCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "graphs", description = "Default: ${DEFAULT-VALUE}")
  Path out;

  @Override
  public Integer call() throws Exception {
    PresetGraphs.writeAll(out, System.out::println);
    return 0;
  }
}
