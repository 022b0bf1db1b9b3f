package org.tfrnn.data;

/**
 * A labelled data set for a sequence classifier: train, validation and test splits of float
 * sequences {@code [n, timeSteps, features]}, each with an int class label in {@code
 * [0, classes)}. Every split's examples hold {@code timeSteps * features} values, row-major by
 * time step. MNIST is one such data set ({@link MnistDataset}: each image a sequence of 28 rows
 * of 28 pixels); a data set read from a user's own files is another.
 */
public interface SequenceDataset {

  DataSplit train();

  DataSplit validation();

  DataSplit test();

  /** Time steps per sequence (rows of an image). */
  int timeSteps();

  /** Values per time step (columns of an image). */
  int features();

  /** Number of classes; labels lie in {@code [0, classes)}. */
  int classes();

  /** One line naming the data set, its split sizes and where it came from, for the log. */
  String description();
}
