package org.tfrnn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a SavedModel over TensorFlow Serving's REST API.")
final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("serve: not written yet");
  }
}
