package org.tfrnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/**
 * A user's labelled sequences on disk: images {@code [n, rows, columns]} (rows are the time steps,
 * columns the features per step) and labels {@code [n]} with classes {@code 0..k-1}, as IDX files
 * (raw or gzip; unsigned bytes scaled to [0, 1] as MNIST's are) or as NumPy {@code .npy} files
 * (uint8 scaled the same way, float32 taken as they are; labels uint8, int32 or int64). Nothing
 * here knows MNIST's sizes or checksums: the shapes and the class count come from the files.
 */
public final class DataFiles {
  /** The NumPy names looked for in a data directory, Keras's {@code load_data} names. */
  public static final List<String> NPY_NAMES =
      List.of("x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy");

  // numpy: images.astype(float32) * (1.0 / 255.0), the constant rounded to float32.
  private static final float PIXEL_SCALE = 1.0f / 255.0f;

  private DataFiles() {}

  /** The four files of a data set. */
  public record Paths(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {
    public List<Path> all() {
      return List.of(trainImages, trainLabels, testImages, testLabels);
    }
  }

  /**
   * Examples read from one images file and one labels file.
   *
   * @param values row-major {@code [count][rows][columns]}
   */
  public record Examples(float[] values, int[] labels, int rows, int columns, Path imagesFile,
      Path labelsFile) {
    public int count() {
      return labels.length;
    }

    /** 1 + the largest label. */
    public int classes() {
      return Arrays.stream(labels).max().orElse(0) + 1;
    }

    /** {@code train-images-idx3-ubyte.gz [60000, 28, 28] + train-labels-idx1-ubyte.gz [60000]}. */
    public String describe() {
      return imagesFile.getFileName() + " [" + count() + ", " + rows + ", " + columns + "] + "
          + labelsFile.getFileName() + " [" + count() + "]";
    }
  }

  /**
   * The data set files in {@code dir}: the four MNIST names (each raw or {@code .gz}, whatever
   * their content), else the four {@link #NPY_NAMES}. Empty if {@code dir} holds none of either.
   *
   * @throws IOException if some of a set are there and others missing, naming the missing ones
   */
  public static java.util.Optional<Paths> locate(Path dir) throws IOException {
    List<Path> idx = new ArrayList<>();
    List<String> idxMissing = new ArrayList<>();
    for (String name : MnistFiles.ALL) {
      MnistFiles.locate(dir, name).ifPresentOrElse(idx::add, () -> idxMissing.add(name));
    }
    // MnistFiles.ALL is train images, train labels, test images, test labels.
    if (idxMissing.isEmpty()) {
      return java.util.Optional.of(new Paths(idx.get(0), idx.get(1), idx.get(2), idx.get(3)));
    }
    List<Path> npy = NPY_NAMES.stream().map(dir::resolve).toList();
    List<String> npyMissing = NPY_NAMES.stream()
        .filter(n -> !Files.isRegularFile(dir.resolve(n))).toList();
    if (npyMissing.isEmpty()) {
      return java.util.Optional.of(new Paths(npy.get(0), npy.get(1), npy.get(2), npy.get(3)));
    }
    if (idxMissing.size() == MnistFiles.ALL.size() && npyMissing.size() == NPY_NAMES.size()) {
      return java.util.Optional.empty();
    }
    boolean npyCloser = npyMissing.size() < idxMissing.size();
    throw new NoSuchFileException(dir.toString(), null, "has part of a data set: missing "
        + String.join(", ", npyCloser ? npyMissing : idxMissing.stream()
            .map(n -> n + "[.gz]").toList())
        + " (give all four files, or name them with --train-images, --train-labels, "
        + "--test-images, --test-labels)");
  }

  /** Reads an images file and its labels file and checks that they belong together. */
  public static Examples read(Path imagesFile, Path labelsFile) throws IOException {
    Examples images = readImages(imagesFile);
    int[] labels = readLabels(labelsFile);
    if (labels.length != images.count()) {
      throw new IOException(imagesFile + " has " + images.count() + " images but " + labelsFile
          + " has " + labels.length + " labels");
    }
    return new Examples(images.values(), labels, images.rows(), images.columns(), imagesFile,
        labelsFile);
  }

  private static Examples readImages(Path file) throws IOException {
    if (isNpy(file)) {
      NdValue array = Npy.read(file);
      long[] shape = array.shape();
      requireRank(file, "images", shape, 3, "[n, rows, columns]");
      float[] values = switch (array.dtype()) {
        case DT_FLOAT -> array.floats();
        case DT_UINT8 -> scaled(array.ints());
        default -> throw new IOException(file + ": images must be uint8 or float32, found "
            + array.dtype().name().substring(3).toLowerCase(Locale.ROOT));
      };
      return new Examples(values, new int[(int) shape[0]], (int) shape[1], (int) shape[2], file, file);
    }
    IdxArray array = IdxReader.read(file);
    requireRank(file, "images", Arrays.stream(array.dims()).asLongStream().toArray(), 3,
        "[n, rows, columns]");
    byte[] data = array.data();
    float[] values = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      values[i] = (data[i] & 0xFF) * PIXEL_SCALE;
    }
    return new Examples(values, new int[array.dims()[0]], array.dims()[1], array.dims()[2], file,
        file);
  }

  private static int[] readLabels(Path file) throws IOException {
    int[] labels;
    if (isNpy(file)) {
      NdValue array = Npy.read(file);
      requireRank(file, "labels", array.shape(), 1, "[n]");
      labels = switch (array.dtype()) {
        case DT_UINT8, DT_INT32 -> array.ints();
        case DT_INT64 -> {
          long[] wide = array.longs();
          int[] narrow = new int[wide.length];
          for (int i = 0; i < wide.length; i++) {
            narrow[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, wide[i]));
          }
          yield narrow;
        }
        default -> throw new IOException(file + ": labels must be integers (uint8, int32 or "
            + "int64), found " + array.dtype().name().substring(3).toLowerCase(Locale.ROOT));
      };
    } else {
      IdxArray array = IdxReader.read(file);
      requireRank(file, "labels", Arrays.stream(array.dims()).asLongStream().toArray(), 1, "[n]");
      labels = new int[array.count()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = array.data()[i] & 0xFF;
      }
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IOException(file + ": label " + labels[i] + " at index " + i
            + " is negative; classes are numbered from 0");
      }
    }
    return labels;
  }

  private static void requireRank(Path file, String what, long[] shape, int rank, String expected)
      throws IOException {
    if (shape.length != rank) {
      throw new IOException(file + ": " + what + " must have shape " + expected + ", found "
          + Arrays.toString(shape));
    }
  }

  private static float[] scaled(int[] bytes) {
    float[] values = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      values[i] = bytes[i] * PIXEL_SCALE;
    }
    return values;
  }

  private static boolean isNpy(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
  }
}
