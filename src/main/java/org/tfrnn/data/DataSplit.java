package org.tfrnn.data;

import java.util.SplittableRandom;

/**
 * One split of a data set (train, validation or test): images as floats, labels as class indices,
 * and batches drawn as TensorFlow's {@code mnist.DataSet.next_batch} draws them. In a {@link
 * SequenceDataset} each "image" is one sequence of {@code timeSteps * features} values, row-major
 * by time step (an MNIST image's rows are its time steps).
 *
 * <p>Unlike TensorFlow, which reorders its {@code images} array when it shuffles, {@link #images()}
 * stays in file order; shuffling permutes an index. Not thread-safe.
 */
public final class DataSplit {
  private final float[] images;
  private final int[] labels;
  private final int imageSize;
  private long seed;
  private SplittableRandom random;
  // The current epoch's order of examples; next_batch reads it from indexInEpoch on.
  private final int[] order;
  private int indexInEpoch;
  private int epochsCompleted;

  /**
   * A split over {@code images} (row-major {@code [labels.length][imageSize]}) and {@code labels}.
   * The arrays are used as they are, not copied. {@code seed} fixes the sequence of shuffles.
   */
  public DataSplit(float[] images, int[] labels, int imageSize, long seed) {
    if (labels.length == 0 || imageSize <= 0 || images.length != (long) labels.length * imageSize) {
      throw new IllegalArgumentException("a split of " + labels.length + " examples of " + imageSize
          + " values needs a non-empty image array of " + (long) labels.length * imageSize
          + " values, got " + images.length);
    }
    this.images = images;
    this.labels = labels;
    this.imageSize = imageSize;
    this.order = new int[labels.length];
    seek(new Position(seed, 0, 0));
  }

  /**
   * Where {@link #nextBatch} stands: the shuffle seed, the epochs finished and the index in the
   * current epoch's order. Seeking to it gives the same batches from there on, so a resumed run
   * sees the data in the order an uninterrupted run would have.
   */
  public record Position(long seed, int epochsCompleted, int indexInEpoch) {}

  public Position position() {
    return new Position(seed, epochsCompleted, indexInEpoch);
  }

  /** Moves to {@code position}, replaying the shuffles that led there from the seed. */
  public void seek(Position position) {
    if (position.epochsCompleted() < 0 || position.indexInEpoch() < 0
        || position.indexInEpoch() > size()) {
      throw new IllegalArgumentException("position " + position + " is outside a split of "
          + size() + " examples");
    }
    seed = position.seed();
    random = new SplittableRandom(seed);
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    boolean started = position.epochsCompleted() > 0 || position.indexInEpoch() > 0;
    for (int shuffles = started ? position.epochsCompleted() + 1 : 0; shuffles > 0; shuffles--) {
      shuffle();
    }
    epochsCompleted = position.epochsCompleted();
    indexInEpoch = position.indexInEpoch();
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }

  /** Values per image (784 for MNIST). */
  public int imageSize() {
    return imageSize;
  }

  /** All images, row-major {@code [size][imageSize]}, in file order. The backing array: do not modify. */
  public float[] images() {
    return images;
  }

  /** All labels in file order. The backing array: do not modify. */
  public int[] labels() {
    return labels;
  }

  /** Number of epochs that {@link #nextBatch} has finished. */
  public int epochsCompleted() {
    return epochsCompleted;
  }

  /** Examples {@code from} (inclusive) to {@code to} (exclusive) in file order, e.g. for evaluation. */
  public Batch batch(int from, int to) {
    if (from < 0 || to > size() || from >= to) {
      throw new IllegalArgumentException(
          "batch range [" + from + ", " + to + ") is empty or outside [0, " + size() + ")");
    }
    int count = to - from;
    float[] batchImages = new float[count * imageSize];
    int[] batchLabels = new int[count];
    System.arraycopy(images, from * imageSize, batchImages, 0, count * imageSize);
    System.arraycopy(labels, from, batchLabels, 0, count);
    return new Batch(batchImages, batchLabels, count);
  }

  /**
   * The next {@code batchSize} examples, as TensorFlow's {@code DataSet.next_batch(batch_size)}: the
   * first call shuffles; a batch that runs past the end of the epoch takes the rest of that epoch,
   * reshuffles, and fills up from the start of the new epoch.
   */
  public Batch nextBatch(int batchSize) {
    if (batchSize <= 0 || batchSize > size()) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " is outside 1.." + size() + " (the split's size)");
    }
    float[] batchImages = new float[batchSize * imageSize];
    int[] batchLabels = new int[batchSize];
    int start = indexInEpoch;
    if (epochsCompleted == 0 && start == 0) {
      shuffle();
    }
    if (start + batchSize > size()) {
      epochsCompleted++;
      int rest = size() - start;
      copyInOrder(start, rest, batchImages, batchLabels, 0);
      shuffle();
      indexInEpoch = batchSize - rest;
      copyInOrder(0, indexInEpoch, batchImages, batchLabels, rest);
    } else {
      copyInOrder(start, batchSize, batchImages, batchLabels, 0);
      indexInEpoch += batchSize;
    }
    return new Batch(batchImages, batchLabels, batchSize);
  }

  /** Copies {@code count} examples, from position {@code from} of the current order, to row {@code row}. */
  private void copyInOrder(int from, int count, float[] batchImages, int[] batchLabels, int row) {
    for (int i = 0; i < count; i++) {
      int example = order[from + i];
      System.arraycopy(images, example * imageSize, batchImages, (row + i) * imageSize, imageSize);
      batchLabels[row + i] = labels[example];
    }
  }

  /** Fisher–Yates. */
  private void shuffle() {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }
}
