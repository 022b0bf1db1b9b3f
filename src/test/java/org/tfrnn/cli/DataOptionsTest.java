package org.tfrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code train} and {@code predict} take {@code --data-dir} from one mixin, with one default. */
class DataOptionsTest {

  @Test
  void trainAndPredictShareTheDataDirectoryOption() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("--data-dir", "/tmp/fashion", "--no-export");
    assertEquals(Path.of("/tmp/fashion"), train.options().dataDir());

    PredictCommand predict = new PredictCommand();
    new CommandLine(predict).parseArgs("model", "--data-dir", "/tmp/fashion");
    assertEquals(Path.of("/tmp/fashion"), predict.data.dir);
  }

  @Test
  void bothDefaultToDataMnist() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs();
    assertEquals(Path.of("data/mnist"), train.options().dataDir());

    PredictCommand predict = new PredictCommand();
    new CommandLine(predict).parseArgs("model");
    assertEquals(Path.of("data/mnist"), predict.data.dir);
  }
}
