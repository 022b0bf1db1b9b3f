package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDatasetTest {
  private static final int TRAIN_FILE_COUNT = 5010;
  private static final int TEST_FILE_COUNT = 7;
  private static final int PIXELS = 28 * 28;

  @TempDir Path dir;

  /** Pixel p of image i is (3 * i + p) mod 256, so every image differs and all 256 values occur. */
  private static int pixel(int image, int p) {
    return (3 * image + p) % 256;
  }

  private static int label(int image) {
    return (image * 7 + 3) % 10;
  }

  private static IdxArray images(int count) {
    byte[] data = new byte[count * PIXELS];
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < PIXELS; p++) {
        data[i * PIXELS + p] = (byte) pixel(i, p);
      }
    }
    return new IdxArray(new int[] {count, 28, 28}, data);
  }

  private static IdxArray labels(int count) {
    byte[] data = new byte[count];
    for (int i = 0; i < count; i++) {
      data[i] = (byte) label(i);
    }
    return new IdxArray(new int[] {count}, data);
  }

  private void writeFiles(IdxArray trainImages, IdxArray trainLabels) throws IOException {
    // Training files raw, test files gzip: load must find both forms.
    TestFiles.write(dir.resolve(MnistFiles.TRAIN_IMAGES), TestFiles.idx(trainImages.dims(), trainImages.data()));
    TestFiles.write(dir.resolve(MnistFiles.TRAIN_LABELS), TestFiles.idx(trainLabels.dims(), trainLabels.data()));
    IdxArray testImages = images(TEST_FILE_COUNT);
    IdxArray testLabels = labels(TEST_FILE_COUNT);
    TestFiles.write(dir.resolve(MnistFiles.TEST_IMAGES + ".gz"),
        TestFiles.gzip(TestFiles.idx(testImages.dims(), testImages.data())));
    TestFiles.write(dir.resolve(MnistFiles.TEST_LABELS + ".gz"),
        TestFiles.gzip(TestFiles.idx(testLabels.dims(), testLabels.data())));
  }

  @Test
  void validationIsTheFirst5000TrainingImagesAndTrainTheRest() throws IOException {
    writeFiles(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT));
    MnistDataset mnist = MnistDataset.load(dir);

    assertEquals(5000, mnist.validation().size());
    assertEquals(10, mnist.train().size());
    assertEquals(TEST_FILE_COUNT, mnist.test().size());
    assertSplitHoldsFileImages(mnist.validation(), 0);
    assertSplitHoldsFileImages(mnist.train(), 5000);
    assertSplitHoldsFileImages(mnist.test(), 0);
  }

  @Test
  void asASequenceDataSetEachImageIsItsRowsInTime() throws IOException {
    writeFiles(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT));
    SequenceDataset data = MnistDataset.load(dir);
    assertEquals(28, data.timeSteps());
    assertEquals(28, data.features());
    assertEquals(10, data.classes());
    assertEquals("MNIST: 10 train, 5000 validation, " + TEST_FILE_COUNT + " test images from " + dir,
        data.description());
  }

  /** Example k of the split is image {@code firstFileImage + k} of its file. */
  private static void assertSplitHoldsFileImages(DataSplit split, int firstFileImage) {
    assertEquals(split.size() * PIXELS, split.images().length);
    for (int k = 0; k < split.size(); k++) {
      int image = firstFileImage + k;
      assertEquals(label(image), split.labels()[k], "label of example " + k);
      for (int p = 0; p < PIXELS; p += 97) {
        float expected = pixel(image, p) * (1.0f / 255.0f);
        assertEquals(expected, split.images()[k * PIXELS + p], 0.0f, "example " + k + " pixel " + p);
      }
    }
  }

  @Test
  void pixelsAreScaledAsNumpyScalesFloat32() {
    byte[] all = new byte[256 * PIXELS]; // 256 images, every byte value 784 times
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    float[] scaled = MnistDataset.scaledPixels(all, 0, all.length / PIXELS);
    // numpy: float32 array * (1.0 / 255.0) rounds the double constant to float32, then multiplies
    // in float32.
    float numpyConstant = (float) (1.0 / 255.0);
    for (int i = 0; i < all.length; i++) {
      int b = i % 256;
      assertEquals(Float.floatToIntBits(b * numpyConstant), Float.floatToIntBits(scaled[i]), "byte " + b);
      assertEquals(b / 255.0, scaled[i], 1e-7, "byte " + b);
    }
    // Bits numpy 1.26.4 printed for np.array([1, 3, 128, 254, 255], np.uint8)
    // .astype(np.float32) * (1.0 / 255.0), viewed as uint32.
    int[] bytes = {1, 3, 128, 254, 255};
    int[] numpyBits = {0x3b808081, 0x3c40c0c2, 0x3f008081, 0x3f7eff00, 0x3f800000};
    for (int k = 0; k < bytes.length; k++) {
      assertEquals(numpyBits[k], Float.floatToIntBits(scaled[bytes[k]]), "byte " + bytes[k]);
    }
    assertEquals(0.0f, scaled[0]);
  }

  @Test
  void fromIdxMatchesLoad() throws IOException {
    writeFiles(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT));
    MnistDataset loaded = MnistDataset.load(dir, 5);
    MnistDataset inMemory = MnistDataset.fromIdx(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT),
        images(TEST_FILE_COUNT), labels(TEST_FILE_COUNT), 5);
    assertArrayEquals(loaded.train().images(), inMemory.train().images());
    assertArrayEquals(loaded.validation().labels(), inMemory.validation().labels());
    assertEquals(loaded.train().nextBatch(4), inMemory.train().nextBatch(4));
  }

  @Test
  void countMismatchNamesBothFiles() throws IOException {
    writeFiles(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT - 1));
    IOException e = assertThrows(IOException.class, () -> MnistDataset.load(dir));
    assertTrue(e.getMessage().equals(dir.resolve(MnistFiles.TRAIN_IMAGES) + " has 5010 images but "
        + dir.resolve(MnistFiles.TRAIN_LABELS) + " has 5009 labels"), e.getMessage());
  }

  @Test
  void wrongImageShape() {
    IdxArray wide = new IdxArray(new int[] {TRAIN_FILE_COUNT, 28, 29}, new byte[TRAIN_FILE_COUNT * 28 * 29]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MnistDataset.fromIdx(
        wide, labels(TRAIN_FILE_COUNT), images(TEST_FILE_COUNT), labels(TEST_FILE_COUNT), 0));
    assertEquals("train images: images must have shape [N, 28, 28], found [5010, 28, 29]", e.getMessage());
  }

  @Test
  void labelOutOfRange() {
    byte[] badLabels = labels(TEST_FILE_COUNT).data().clone();
    badLabels[4] = 10;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MnistDataset.fromIdx(
        images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT), images(TEST_FILE_COUNT),
        new IdxArray(new int[] {TEST_FILE_COUNT}, badLabels), 0));
    assertEquals("test labels: label 10 at index 4 is outside 0..9", e.getMessage());
  }

  @Test
  void trainingFileMustHoldMoreThanTheValidationSplit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MnistDataset.fromIdx(
        images(5000), labels(5000), images(TEST_FILE_COUNT), labels(TEST_FILE_COUNT), 0));
    assertTrue(e.getMessage().startsWith("train images has 5000 images; more than 5000 are needed"),
        e.getMessage());
  }

  @Test
  void missingFileNamesFileAndDirectory() throws IOException {
    writeFiles(images(TRAIN_FILE_COUNT), labels(TRAIN_FILE_COUNT));
    Files.delete(dir.resolve(MnistFiles.TEST_LABELS + ".gz"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistDataset.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve(MnistFiles.TEST_LABELS).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
  }

  @Test
  void oneHotLabels() {
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0}, Labels.oneHot(new int[] {3, 0, 2}, 4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Labels.oneHot(new int[] {1, 4}, 4));
    assertEquals("label 4 at index 1 is outside 0..3", e.getMessage());
  }
}
