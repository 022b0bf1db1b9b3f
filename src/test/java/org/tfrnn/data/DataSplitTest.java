package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataSplitTest {
  private static final int IMAGE_SIZE = 3;

  /** Example i has label i % 10 and image values i + 0.25, i + 0.5, i + 0.75: rows identify examples. */
  private static DataSplit split(int size, long seed) {
    float[] images = new float[size * IMAGE_SIZE];
    int[] labels = new int[size];
    for (int i = 0; i < size; i++) {
      labels[i] = i % 10;
      for (int v = 0; v < IMAGE_SIZE; v++) {
        images[i * IMAGE_SIZE + v] = i + 0.25f * (v + 1);
      }
    }
    return new DataSplit(images, labels, IMAGE_SIZE, seed);
  }

  /** The example index of each row, checking that the row's image and label belong together. */
  private static int[] examples(Batch batch) {
    int[] examples = new int[batch.size()];
    for (int row = 0; row < batch.size(); row++) {
      int example = (int) batch.images()[row * IMAGE_SIZE];
      for (int v = 0; v < IMAGE_SIZE; v++) {
        assertEquals(example + 0.25f * (v + 1), batch.images()[row * IMAGE_SIZE + v]);
      }
      assertEquals(example % 10, batch.labels()[row]);
      examples[row] = example;
    }
    return examples;
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  private static void assertPermutation(int size, int[] examples) {
    int[] sorted = examples.clone();
    Arrays.sort(sorted);
    assertArrayEquals(IntStream.range(0, size).toArray(), sorted, Arrays.toString(examples));
  }

  @Test
  void everyExampleOncePerEpochAndFirstEpochShuffled() {
    DataSplit split = split(100, 1);
    int[] epoch = concat(examples(split.nextBatch(50)), examples(split.nextBatch(50)));
    assertPermutation(100, epoch);
    assertNotEquals(Arrays.toString(IntStream.range(0, 100).toArray()), Arrays.toString(epoch));
    // As TensorFlow, the epoch counts as completed only when the next batch runs past its end.
    assertEquals(0, split.epochsCompleted());
    assertPermutation(100, concat(examples(split.nextBatch(50)), examples(split.nextBatch(50))));
    assertEquals(1, split.epochsCompleted());
  }

  @Test
  void batchCrossingAnEpochTakesTheRestThenStartsTheNextEpoch() {
    DataSplit split = split(10, 7);
    int[] b1 = examples(split.nextBatch(4));
    int[] b2 = examples(split.nextBatch(4));
    assertEquals(0, split.epochsCompleted());
    int[] b3 = examples(split.nextBatch(4)); // 2 left in epoch 1, then 2 from epoch 2
    assertEquals(1, split.epochsCompleted());
    int[] b4 = examples(split.nextBatch(4));
    int[] b5 = examples(split.nextBatch(4)); // ends exactly at the end of epoch 2
    assertEquals(1, split.epochsCompleted());
    int[] b6 = examples(split.nextBatch(4)); // nothing left of epoch 2: all from epoch 3
    assertEquals(2, split.epochsCompleted());
    int[] b7 = examples(split.nextBatch(4));
    int[] b8 = examples(split.nextBatch(4)); // 2 from epoch 3, 2 from epoch 4
    assertEquals(3, split.epochsCompleted());

    assertPermutation(10, concat(b1, b2, Arrays.copyOfRange(b3, 0, 2)));
    assertPermutation(10, concat(Arrays.copyOfRange(b3, 2, 4), b4, b5));
    assertPermutation(10, concat(b6, b7, Arrays.copyOfRange(b8, 0, 2)));
  }

  @Test
  void sameSeedSameBatchesDifferentSeedDifferentBatches() {
    DataSplit a = split(50, 42);
    DataSplit b = split(50, 42);
    DataSplit c = split(50, 43);
    List<Batch> fromA = new ArrayList<>();
    List<Batch> fromB = new ArrayList<>();
    List<Batch> fromC = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // several epochs, crossing boundaries
      fromA.add(a.nextBatch(16));
      fromB.add(b.nextBatch(16));
      fromC.add(c.nextBatch(16));
    }
    assertEquals(fromA, fromB);
    assertNotEquals(fromA, fromC);
  }

  @Test
  void wholeSplitAsOneBatchPerEpoch() {
    DataSplit split = split(6, 3);
    assertPermutation(6, examples(split.nextBatch(6)));
    assertPermutation(6, examples(split.nextBatch(6)));
    assertEquals(1, split.epochsCompleted());
  }

  @Test
  void sliceIsInFileOrderWhateverTheShuffles() {
    DataSplit split = split(20, 5);
    split.nextBatch(7);
    Batch slice = split.batch(3, 8);
    assertArrayEquals(new int[] {3, 4, 5, 6, 7}, examples(slice));
    assertEquals(IMAGE_SIZE, slice.imageSize());
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, Arrays.copyOf(slice.oneHotLabels(10), 10));
  }

  @Test
  void rejectsBadSizes() {
    DataSplit split = split(10, 0);
    assertEquals("batch size 11 is outside 1..10 (the split's size)",
        assertThrows(IllegalArgumentException.class, () -> split.nextBatch(11)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> split.nextBatch(0));
    assertEquals("batch range [5, 11) is empty or outside [0, 10)",
        assertThrows(IllegalArgumentException.class, () -> split.batch(5, 11)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> split.batch(4, 4));
    assertThrows(IllegalArgumentException.class, () -> split.batch(-1, 2));
    assertThrows(IllegalArgumentException.class,
        () -> new DataSplit(new float[5], new int[2], IMAGE_SIZE, 0));
  }

  /**
   * A split moved to a saved position draws the batches the original draws from there on, across
   * epoch ends (batch 7 does not divide 20), though the new split starts from another seed.
   */
  @Test
  void seekingToASavedPositionContinuesTheSameBatchOrder() {
    for (int drawnBefore : new int[] {0, 1, 2, 3, 5, 8}) {
      DataSplit original = split(20, 11);
      for (int i = 0; i < drawnBefore; i++) {
        original.nextBatch(7);
      }
      DataSplit.Position saved = original.position();
      DataSplit resumed = split(20, 99);
      resumed.seek(saved);
      assertEquals(saved, resumed.position());
      for (int i = 0; i < 10; i++) {
        assertArrayEquals(examples(original.nextBatch(7)), examples(resumed.nextBatch(7)),
            "batch " + i + " after " + drawnBefore + " drawn");
      }
      assertEquals(original.epochsCompleted(), resumed.epochsCompleted());
    }
  }

  @Test
  void aPositionOutsideTheSplitIsRefused() {
    DataSplit data = split(20, 1);
    assertThrows(IllegalArgumentException.class, () -> data.seek(new DataSplit.Position(1, 0, 21)));
    assertThrows(IllegalArgumentException.class, () -> data.seek(new DataSplit.Position(1, -1, 0)));
  }
}
