package org.tfrnn.data;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A data set read from a user's files ({@link DataFiles}): sequences of any shape, in any number
 * of classes. Validation is the first {@code min(5000, n / 10)} training examples, as {@code
 * read_data_sets} takes the first 5,000 of MNIST's 60,000; train is the rest; the class count is
 * 1 + the largest label of either file.
 */
public record FileDataset(DataSplit train, DataSplit validation, DataSplit test, int timeSteps,
    int features, int classes, String description) implements SequenceDataset {

  /** {@code seed} fixes the batch order, as for {@link MnistDataset}. */
  public static FileDataset of(DataFiles.Examples trainFile, DataFiles.Examples testFile, long seed)
      throws IOException {
    if (testFile.rows() != trainFile.rows() || testFile.columns() != trainFile.columns()) {
      throw new IOException(testFile.imagesFile() + " holds [" + testFile.rows() + ", "
          + testFile.columns() + "] examples but " + trainFile.imagesFile() + " holds ["
          + trainFile.rows() + ", " + trainFile.columns() + "]: train and test must have one shape");
    }
    int classes = Math.max(trainFile.classes(), testFile.classes());
    if (classes < 2) {
      throw new IOException(trainFile.labelsFile() + " and " + testFile.labelsFile()
          + " hold only the label 0: a classifier needs at least two classes");
    }
    int validationSize = Math.min(MnistDataset.VALIDATION_SIZE, trainFile.count() / 10);
    if (validationSize < 1) {
      throw new IOException(trainFile.imagesFile() + " has " + trainFile.count()
          + " examples; at least 10 are needed (a tenth, up to 5,000, is the validation split)");
    }
    int size = trainFile.rows() * trainFile.columns();
    SplittableRandom seeds = new SplittableRandom(seed);
    float[] values = trainFile.values();
    int[] labels = trainFile.labels();
    DataSplit validation = new DataSplit(Arrays.copyOf(values, validationSize * size),
        Arrays.copyOf(labels, validationSize), size, seeds.nextLong());
    DataSplit train = new DataSplit(Arrays.copyOfRange(values, validationSize * size, values.length),
        Arrays.copyOfRange(labels, validationSize, labels.length), size, seeds.nextLong());
    DataSplit test = new DataSplit(testFile.values(), testFile.labels(), size, seeds.nextLong());
    String description = String.format(Locale.ROOT,
        "Data: %s; %s; %d classes, sequences of %d steps x %d features: %d train, %d validation, "
            + "%d test examples", trainFile.describe(), testFile.describe(), classes,
        trainFile.rows(), trainFile.columns(), train.size(), validation.size(), test.size());
    return new FileDataset(train, validation, test, trainFile.rows(), trainFile.columns(), classes,
        description);
  }
}
