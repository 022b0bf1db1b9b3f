package org.tfrnn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line entry point: {@code tfrnn train|predict|serve|presets|graphs|demo}. */
@Command(
    name = "tfrnn",
    mixinStandardHelpOptions = true,
    version = "tf-rnn-java 0.1.0 (TensorFlow Java 1.1.0, TensorFlow 2.18.0 native)",
    description = "Train, exchange and serve TensorFlow LSTM/RNN models from Java.",
    subcommands = {
        TrainCommand.class,
        PredictCommand.class,
        PresetsCommand.class,
        ServeCommand.class,
        GraphsCommand.class,
        DemoCommand.class,
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      // A bad file, flag or model is the user's to fix: one line, no stack trace.
      cmd.getErr().println("error: " + e.getMessage());
      if (Boolean.getBoolean("tfrnn.debug")) {
        e.printStackTrace(cmd.getErr());
      }
      return 1;
    });
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
