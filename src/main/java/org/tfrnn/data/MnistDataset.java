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
 *
 * <p>As a {@link SequenceDataset}, each image is a sequence of {@value #ROWS} time steps (its rows)
 * of {@value #COLUMNS} features (the pixels of a row), as the notebooks feed it to the RNN.
 */
public final class MnistDataset implements SequenceDataset {
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
  private final String source;

  private MnistDataset(DataSplit train, DataSplit validation, DataSplit test, String source) {
    this.train = train;
    this.validation = validation;
    this.test = test;
    this.source = source;
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
    return build(trainImages, trainLabels, testImages, testLabels, seed, dir.toString());
  }

  /**
   * A data set from IDX arrays in memory: images {@code [N, 28, 28]}, labels {@code [N]} with values
   * 0..9, and more than {@value #VALIDATION_SIZE} training examples.
   */
  public static MnistDataset fromIdx(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages,
      IdxArray testLabels, long seed) {
    validate(trainImages, "train images", trainLabels, "train labels", true);
    validate(testImages, "test images", testLabels, "test labels", false);
    return build(trainImages, trainLabels, testImages, testLabels, seed, "IDX arrays in memory");
  }

  /** 55,000 examples for MNIST: the training file without its first 5,000. */
  @Override
  public DataSplit train() {
    return train;
  }

  /** The first 5,000 examples of the training file. */
  @Override
  public DataSplit validation() {
    return validation;
  }

  /** The test file. */
  @Override
  public DataSplit test() {
    return test;
  }

  @Override
  public int timeSteps() {
    return ROWS;
  }

  @Override
  public int features() {
    return COLUMNS;
  }

  @Override
  public int classes() {
    return NUM_CLASSES;
  }

  /** {@code MNIST: 55000 train, 5000 validation, 10000 test images from data/mnist}. */
  @Override
  public String description() {
    return "MNIST: " + train.size() + " train, " + validation.size() + " validation, "
        + test.size() + " test images from " + source;
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
      IdxArray testLabels, long seed, String source) {
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
    return new MnistDataset(train, validation, test, source);
  }

  private static int[] labelsOf(byte[] labels, int first, int count) {
    int[] result = new int[count];
    for (int i = 0; i < count; i++) {
      result[i] = labels[first + i] & 0xFF;
    }
    return result;
  }
}
