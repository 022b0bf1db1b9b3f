package org.tfrnn.cli;

import org.tfrnn.workflows.Notebook002Demos;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Notebook 002's small demos: the two-step RNN written by hand, static_rnn versus",
        "dynamic_rnn on one 4x2x3 batch, and a variable-length batch (sequence_length = [1, 2])."})
final class DemoCommand implements Runnable {
  @Option(names = "--seed", defaultValue = "42", description = "seed of the random weights")
  long seed;

  @Override
  public void run() {
    Notebook002Demos.fromScratch(seed, System.out::println);
    System.out.println();
    Notebook002Demos.staticVsDynamic(seed, System.out::println);
    System.out.println();
    Notebook002Demos.variableLength(seed, System.out::println);
  }
}
