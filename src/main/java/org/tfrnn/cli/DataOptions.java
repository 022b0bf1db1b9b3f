package org.tfrnn.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data set is: the options {@code train} and {@code predict} share (a picocli mixin). */
final class DataOptions {
  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/mnist",
      description = "MNIST IDX files (raw or .gz), fetched there if missing. Default: ${DEFAULT-VALUE}")
  Path dir;
}
