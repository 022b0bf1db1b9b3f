package org.tfrnn.data;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MNIST split as TensorFlow's {@code input_data.read_data_sets} splits it: validation is the first
 * {@value #VALIDATION_SIZE} images of the training file, train the rest (55,000 for MNIST), test the
 * test file (10,000). Pixels are floats in [0, 1]. Any data set in the same layout (28x28 images,
 * labels 0..9, such as Fashion-MNIST) loads the same way.
 */
public final class MnistDataset {
  public static final int ROWS = 28;
  public static final int COLUMNS = 28;
  public static final int IMAGE_SIZE = ROWS * COLUMNS;
  public static final int NUM_CLASSES = 10;
  public static final int VALIDATION_SIZE = 5000;
  /** Seed of {@link #load(Path)}. */
  public static final long DEFAULT_SEED = 0;

  // numpy computes images.astype(float32) * (1.0 / 255.0) in float32 with the constant rounded to
  // float32; this is that product, bit for bit.
  private static final float PIXEL_SCALE = 1.0f / 255.0f;

  private final DataSplit train;
  private final DataSplit validation;
  private final DataSplit test;
  private final int rows;
  private final int columns;
  private final int classes;

  private MnistDataset(DataSplit train, DataSplit validation, DataSplit test, int rows,
      int columns, int classes) {
    this.train = train;
    this.validation = validation;
    this.test = test;
    this.rows = rows;
    this.columns = columns;
    this.classes = classes;
  }

  /**
   * A data set of any sequence shape and class count, read from a user's files: validation is the
   * first {@code min(5000, n / 10)} training examples, as {@code read_data_sets} takes the first
   * 5,000 of MNIST's 60,000; train is the rest; the class count is 1 + the largest label.
   */
  public static MnistDataset fromExamples(DataFiles.Examples trainFile, DataFiles.Examples testFile,
      long seed) throws IOException {
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
    int validationSize = Math.min(VALIDATION_SIZE, trainFile.count() / 10);
    if (validationSize < 1 || trainFile.count() - validationSize < 1) {
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
    return new MnistDataset(train, validation, test, trainFile.rows(), trainFile.columns(), classes);
  }

  /** Time steps per example (image rows). */
  public int rows() {
    return rows;
  }

  /** Features per time step (image columns). */
  public int columns() {
    return columns;
  }

  public int classes() {
    return classes;
  }

  /** Loads the four files from {@code dir}, each raw or {@code .gz}, shuffling with {@link #DEFAULT_SEED}. */
  public static MnistDataset load(Path dir) throws IOException {
    return load(dir, DEFAULT_SEED);
  }

  /** Loads the four files from {@code dir}, each raw or {@code .gz}; {@code seed} fixes the batch order. */
  public static MnistDataset load(Path dir, long seed) throws IOException {
    Path trainImagesFile = locate(dir, MnistFiles.TRAIN_IMAGES);
    Path trainLabelsFile = locate(dir, MnistFiles.TRAIN_LABELS);
    Path testImagesFile = locate(dir, MnistFiles.TEST_IMAGES);
    Path testLabelsFile = locate(dir, MnistFiles.TEST_LABELS);
    IdxArray trainImages = IdxReader.read(trainImagesFile);
    IdxArray trainLabels = IdxReader.read(trainLabelsFile);
    IdxArray testImages = IdxReader.read(testImagesFile);
    IdxArray testLabels = IdxReader.read(testLabelsFile);
    try {
      validate(trainImages, trainImagesFile.toString(), trainLabels, trainLabelsFile.toString(), true);
      validate(testImages, testImagesFile.toString(), testLabels, testLabelsFile.toString(), false);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return build(trainImages, trainLabels, testImages, testLabels, seed);
  }

  /**
   * A data set from IDX arrays in memory: images {@code [N, 28, 28]}, labels {@code [N]} with values
   * 0..9, and more than {@value #VALIDATION_SIZE} training examples.
   */
  public static MnistDataset fromIdx(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages,
      IdxArray testLabels, long seed) {
    validate(trainImages, "train images", trainLabels, "train labels", true);
    validate(testImages, "test images", testLabels, "test labels", false);
    return build(trainImages, trainLabels, testImages, testLabels, seed);
  }

  /** 55,000 examples for MNIST: the training file without its first 5,000. */
  public DataSplit train() {
    return train;
  }

  /** The first 5,000 examples of the training file. */
  public DataSplit validation() {
    return validation;
  }

  /** The test file. */
  public DataSplit test() {
    return test;
  }

  /** Pixels of images {@code [first, first + count)} scaled to [0, 1] as TensorFlow scales them. */
  static float[] scaledPixels(byte[] pixels, int first, int count) {
    float[] scaled = new float[count * IMAGE_SIZE];
    int offset = first * IMAGE_SIZE;
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = (pixels[offset + i] & 0xFF) * PIXEL_SCALE;
    }
    return scaled;
  }

  private static Path locate(Path dir, String name) throws NoSuchFileException {
    return MnistFiles.locate(dir, name).orElseThrow(() -> new NoSuchFileException(
        dir.resolve(name).toString(), null,
        "missing (neither " + name + " nor " + name + MnistFiles.GZIP_SUFFIX + " is in " + dir + ")"));
  }

  private static void validate(IdxArray images, String imagesName, IdxArray labels, String labelsName,
      boolean isTraining) {
    if (images.dims().length != 3 || images.dims()[1] != ROWS || images.dims()[2] != COLUMNS) {
      throw new IllegalArgumentException(imagesName + ": images must have shape [N, " + ROWS + ", "
          + COLUMNS + "], found " + Arrays.toString(images.dims()));
    }
    if (labels.dims().length != 1) {
      throw new IllegalArgumentException(
          labelsName + ": labels must have shape [N], found " + Arrays.toString(labels.dims()));
    }
    if (images.count() != labels.count()) {
      throw new IllegalArgumentException(imagesName + " has " + images.count() + " images but "
          + labelsName + " has " + labels.count() + " labels");
    }
    byte[] labelBytes = labels.data();
    for (int i = 0; i < labelBytes.length; i++) {
      if ((labelBytes[i] & 0xFF) >= NUM_CLASSES) {
        throw new IllegalArgumentException(labelsName + ": label " + (labelBytes[i] & 0xFF)
            + " at index " + i + " is outside 0.." + (NUM_CLASSES - 1));
      }
    }
    if (isTraining && images.count() <= VALIDATION_SIZE) {
      throw new IllegalArgumentException(imagesName + " has " + images.count() + " images; more than "
          + VALIDATION_SIZE + " are needed, since the first " + VALIDATION_SIZE + " are the validation split");
    }
  }

  private static MnistDataset build(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages,
      IdxArray testLabels, long seed) {
    SplittableRandom seeds = new SplittableRandom(seed);
    int trainFileCount = trainImages.count();
    // As TensorFlow: validation_images = train_images[:5000], train_images = train_images[5000:].
    DataSplit validation = new DataSplit(
        scaledPixels(trainImages.data(), 0, VALIDATION_SIZE),
        labelsOf(trainLabels.data(), 0, VALIDATION_SIZE), IMAGE_SIZE, seeds.nextLong());
    DataSplit train = new DataSplit(
        scaledPixels(trainImages.data(), VALIDATION_SIZE, trainFileCount - VALIDATION_SIZE),
        labelsOf(trainLabels.data(), VALIDATION_SIZE, trainFileCount - VALIDATION_SIZE),
        IMAGE_SIZE, seeds.nextLong());
    DataSplit test = new DataSplit(
        scaledPixels(testImages.data(), 0, testImages.count()),
        labelsOf(testLabels.data(), 0, testLabels.count()), IMAGE_SIZE, seeds.nextLong());
    return new MnistDataset(train, validation, test, ROWS, COLUMNS, NUM_CLASSES);
  }

  private static int[] labelsOf(byte[] labels, int first, int count) {
    int[] result = new int[count];
    for (int i = 0; i < count; i++) {
      result[i] = labels[first + i] & 0xFF;
    }
    return result;
  }
}
