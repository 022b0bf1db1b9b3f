package org.tfrnn.cli;

import org.tfrnn.models.Preset;
import org.tfrnn.models.Presets;
import picocli.CommandLine.Command;

@Command(name = "presets", mixinStandardHelpOptions = true,
    description = "List the presets and the notebook each reproduces.")
final class PresetsCommand implements Runnable {
  @Override
  public void run() {
    for (Preset p : Presets.all().values()) {
      System.out.printf("%-13s notebook %-4s %s%n", p.name(), p.notebook(), p.description());
    }
  }
}
