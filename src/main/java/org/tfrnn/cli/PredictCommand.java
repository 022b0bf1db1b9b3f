package org.tfrnn.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.data.MnistFetcher;
import org.tfrnn.inference.Predictor;
import org.tfrnn.train.Evaluation;
import org.tfrnn.workflows.SavedModelEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {
        "Run the MNIST test set through a SavedModel (ours, a Python notebook's or a Keras",
        "export): print its signatures, the accuracy and the confusion matrix."})
final class PredictCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL_DIR",
      description = "a SavedModel directory, or a base directory of numbered versions")
  Path model;

  @Option(names = "--signature", description = "signature key (default: serving_default)")
  String signature;

  @Mixin
  DataOptions data;

  @Option(names = "--limit", description = "use only the first N test images")
  Integer limit;

  @Override
  public Integer call() throws Exception {
    try (Predictor predictor = Predictor.open(model)) {
      System.out.println("Model " + predictor.directory());
      predictor.signatures().forEach(s -> System.out.println(s.describe()));
      SavedModelEvaluation.Binding binding = SavedModelEvaluation.bind(
          predictor.signature(signature), MnistDataset.ROWS, MnistDataset.COLUMNS,
          MnistDataset.NUM_CLASSES);
      System.out.println("Using " + binding.describe());

      MnistFetcher.ensurePresent(data.dir, System.out::println);
      MnistDataset mnist = MnistDataset.load(data.dir);
      int count = limit == null ? mnist.test().size() : Math.min(limit, mnist.test().size());
      if (count <= 0) {
        throw new IllegalArgumentException("--limit must be positive, got " + limit);
      }
      Evaluation result = SavedModelEvaluation.evaluate(predictor, binding, mnist.test(), count,
          MnistDataset.ROWS, MnistDataset.COLUMNS, MnistDataset.NUM_CLASSES);
      System.out.printf(Locale.ROOT, "Accuracy on %d MNIST test images: %.4f (%d correct)%n",
          result.examples(), result.accuracy(), result.correct());
      System.out.print(confusionMatrix(result.confusion()));
    }
    return 0;
  }

  static String confusionMatrix(long[][] confusion) {
    StringBuilder s = new StringBuilder("Confusion matrix (rows: true digit, columns: predicted):\n");
    s.append("     ");
    for (int c = 0; c < confusion.length; c++) {
      s.append(String.format(Locale.ROOT, "%6d", c));
    }
    s.append('\n');
    for (int r = 0; r < confusion.length; r++) {
      s.append(String.format(Locale.ROOT, "%5d", r));
      for (long count : confusion[r]) {
        s.append(String.format(Locale.ROOT, "%6d", count));
      }
      s.append('\n');
    }
    return s.toString();
  }
}
