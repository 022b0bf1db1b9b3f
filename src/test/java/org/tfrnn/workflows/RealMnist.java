package org.tfrnn.workflows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.data.MnistFetcher;

/** The real MNIST data for integration tests, fetched once into data/mnist like the CLI does. */
public final class RealMnist {
  public static final Path DIR = Path.of("data/mnist");
  private static MnistDataset loaded;

  private RealMnist() {}

  public static synchronized MnistDataset load() {
    if (loaded == null) {
      try {
        MnistFetcher.ensurePresent(DIR, line -> {});
        loaded = MnistDataset.load(DIR);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return loaded;
  }
}
