package org.tfrnn.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data set is: the options {@code train} and {@code predict} share (a picocli mixin). */
final class DataOptions {
  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/mnist",
      description = "the data set: four IDX files named as MNIST's (raw or .gz; any image size "
          + "and class count), or x_train.npy, y_train.npy, x_test.npy, y_test.npy; MNIST is "
          + "fetched there when it holds neither. Default: ${DEFAULT-VALUE}")
  Path dir;
}
