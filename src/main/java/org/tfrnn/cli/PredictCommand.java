package org.tfrnn.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Run the MNIST test set through a SavedModel's serving signature.")
final class PredictCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "a SavedModel directory, or a base directory of versions")
  Path model;

  @Option(names = "--data-dir", defaultValue = "data/mnist")
  Path dataDir;

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("predict: not yet");
  }
}
